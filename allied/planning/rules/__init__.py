"""Coalition planning: pure rules (no Django import; checked by import-linter and strict mypy)."""
