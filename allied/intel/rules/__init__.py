"""Intelligence rules: pure functions over markings and facts, no framework."""
