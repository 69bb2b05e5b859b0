"""Fictional intelligence content for the demo: products, disclosure requests, requirements."""

from __future__ import annotations

import importlib


def seed() -> None:
    """Seed every area that has demo content, in order (products first: the others use them)."""
    for area in ("products", "disclosure", "requirements", "agreements"):
        try:
            module = importlib.import_module(f"allied.intel.demo.{area}")
        except ModuleNotFoundError as exc:
            if exc.name != f"allied.intel.demo.{area}":
                raise
            continue
        module.seed()
