"""Intelligence pages, one module per area."""
