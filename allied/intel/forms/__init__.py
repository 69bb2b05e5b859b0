"""Intelligence forms, one module per area."""
