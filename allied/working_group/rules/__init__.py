"""Working group rules in plain Python (no Django): priority scores, guidance conflicts."""
