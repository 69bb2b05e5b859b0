"""Arms-sales pages (namespace ``arms``), one module per area."""
