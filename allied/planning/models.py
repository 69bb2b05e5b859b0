"""Coalition planning: the models."""
