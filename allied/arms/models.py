"""Arms sales: the models."""
