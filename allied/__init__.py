"""Allied: intelligence sharing, arms sales and coalition planning with U.S. allies and partners."""
