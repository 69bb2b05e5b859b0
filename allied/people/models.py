"""People and ties: the models."""
