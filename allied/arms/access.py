"""Who sees which arms-sales rows: the marking decides, and a partner sees only its own nation's.

The rule lives in the models' querysets (``OwnNationQuerySet.visible_to``): rows are restricted
to the viewer's markings by the core's fail-closed filter, then, for a foreign viewer, to its own
nation's cases and licences, as SCIP shows a purchaser its own cases only. These helpers are the
names the pages, API, charts and queue use; rows of a case are read with the case joined
(``select_related("case")``), so a row whose case is hidden is hidden too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from allied.arms.models import (
    Blocker,
    Case,
    CoordinationGroup,
    HistoryEntry,
    Item,
    Licence,
    Review,
    StageRecord,
)
from allied.core.access import Access
from allied.core.models.marked import MarkedQuerySet, as_viewer
from allied.core.models.principals import Principal, Role
from allied.markings.access import Viewer

CASE_ROWS = (StageRecord, Review, Blocker, Item, HistoryEntry)


def us_case_manager(principal: Principal) -> bool:
    """Only a U.S. case manager changes a case, completes or overrides a stage, imports cases."""
    return bool(principal.is_us and principal.has_role(Role.CASE_MANAGER))


#: Who may change a case, in the words each surface refuses everyone else with (403).
CASE_MANAGER = Access(allows=us_case_manager, reason="Only a U.S. case manager changes a case.")
EDITS_CASE = Access(allows=us_case_manager, reason="Only a U.S. case manager may edit a case.")
IMPORTS_CASES = Access(
    allows=us_case_manager, reason="Only a U.S. case manager may import a case book."
)


def viewer(who: Any, on: date | None = None) -> Viewer:
    return as_viewer(who, on)


def cases(who: Any, on: date | None = None) -> MarkedQuerySet:
    """Cases ``who`` may see: releasable to it and, for a partner, its own nation's."""
    return Case.objects.visible_to(viewer(who, on), on=on)


def licences(who: Any, on: date | None = None) -> MarkedQuerySet:
    return Licence.objects.visible_to(viewer(who, on), on=on)


def case_rows(model: type[Any], who: Any, on: date | None = None) -> MarkedQuerySet:
    """Rows of ``model`` (StageRecord, Review, Blocker, Item, HistoryEntry) ``who`` may see,
    only where the case is visible too."""
    if model not in CASE_ROWS:
        raise TypeError(f"{model!r} is not a row of a case")
    rows = model.objects.visible_to(viewer(who, on), on=on)
    return rows.select_related("case")


def groups(who: Any, on: date | None = None) -> MarkedQuerySet:
    """Coordination groups ``who`` may see; a partner sees a group only with a case of its own."""
    return CoordinationGroup.objects.visible_to(viewer(who, on), on=on)
