"""Coalition planning: partner capabilities and willingness, plans, checks, optimiser."""
