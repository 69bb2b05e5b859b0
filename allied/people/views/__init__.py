"""People and ties: the pages under /people/ (coverage and its figures; records, contacts)."""
