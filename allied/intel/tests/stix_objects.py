"""STIX objects for tests that import bundles (fictional indicators)."""

from __future__ import annotations

import uuid
from typing import Any

from allied.core.models import StoredMarking
from allied.intel import stix


def indicator(name: str, marking: str | None = None, **extra: Any) -> dict[str, Any]:
    """A STIX 2.1 indicator with a fresh id; ``marking`` adds Allied's marking extension."""
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-11-01T00:00:00.000Z",
        "modified": "2026-11-01T00:00:00.000Z",
        "name": name,
        "pattern": "[ipv4-addr:value = '203.0.113.9']",
        "pattern_type": "stix",
        "valid_from": "2026-11-01T00:00:00Z",
        **extra,
    }
    if marking:
        obj["extensions"] = stix.marking_extension(StoredMarking.objects.intern(marking).marking)
    return obj
