"""Coalition planning pages (namespace ``planning``), one module per area."""
