"""Arms sales: pure rules (no Django import; checked by import-linter and strict mypy)."""
