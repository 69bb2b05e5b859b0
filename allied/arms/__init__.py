"""Arms sales: FMS cases and DCS licences, statutory notification, LOR checks, forecasts."""
