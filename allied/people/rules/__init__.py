"""People and ties: pure rules (no Django import; checked by import-linter and strict mypy)."""
