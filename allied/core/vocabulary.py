"""Feed the registry's community codes to the markings engine (P7: opaque codes).

The pure core knows ISO 3166 and the register's tetragraphs; the project's own communities (QUAD,
AUKUS, MILFW, the bilateral alliances) live in the registry. ``ensure()`` hands them to the core
at most every few seconds, and at once whenever a community is saved or deleted.
"""

from __future__ import annotations

import threading
import time

from allied.markings import CheckResult, Marking, MarkingError, use_communities
from allied.markings import check as markings_check

REFRESH_SECONDS = 5.0
_lock = threading.Lock()
_loaded_at = [-1e9]


def refresh() -> None:
    from allied.core.models.registry import Community

    codes = list(Community.objects.values_list("code", flat=True))
    with _lock:
        use_communities(codes)
        _loaded_at[0] = time.monotonic()


def ensure() -> None:
    """Make sure the engine knows the registry's communities (cheap when fresh)."""
    if time.monotonic() - _loaded_at[0] >= REFRESH_SECONDS:
        refresh()


def invalidate(*args: object, **kwargs: object) -> None:
    _loaded_at[0] = -1e9


def check(text: str) -> CheckResult:
    """``allied.markings.check`` with the registry's communities, refreshed once if the marking
    names a code the engine did not know (a community added moments ago by another process)."""
    ensure()
    result = markings_check(text)
    if not result.valid:
        refresh()
        result = markings_check(text)
    return result


def parse(text: str) -> Marking:
    """``allied.markings.parse`` with the registry's communities (see ``check``)."""
    result = check(text)
    if result.valid and result.marking is not None:
        return result.marking
    raise MarkingError(result)
