"""The guidance log read for one member: conflicts and overdue commitments among the statements
that member may see (so a hidden statement can never make, or hide, a conflict shown to them).

Only the statements a conflict or an overdue commitment shows are recorded as shown (audited
reads, and the page's banner): the others are compared, not shown, and would raise the banner
above the roll-up of what the page holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest

from allied.core.restricted import show, viewer_of
from allied.working_group.models import GuidanceStatement
from allied.working_group.rules import guidance as rules


@dataclass(frozen=True)
class ShownConflict:
    conflict: rules.Conflict
    first: GuidanceStatement
    second: GuidanceStatement


def visible_statements(request: HttpRequest, day: date) -> dict[int, GuidanceStatement]:
    """The statements the member may see, to compare (not yet shown)."""
    rows = (
        GuidanceStatement.objects.visible_to(viewer_of(request), on=day)
        .select_related("marking", "partner")
        .order_by("pk")
    )
    return {row.pk: row for row in rows}


def visible_conflicts(request: HttpRequest, day: date) -> list[ShownConflict]:
    statements = visible_statements(request, day)
    found = rules.conflicts(
        rules.Statement(s.pk, s.partner_id, s.topic, s.get_body_display(), s.position, s.said_on)
        for s in statements.values()
    )
    conflicts = [ShownConflict(c, statements[c.first.key], statements[c.second.key]) for c in found]
    show(request, [s for c in conflicts for s in (c.first, c.second)])
    return conflicts


def visible_overdue(request: HttpRequest, day: date) -> list[tuple[GuidanceStatement, int]]:
    statements = visible_statements(request, day)
    late = rules.overdue(
        (
            rules.Commitment(
                s.pk, s.partner_id, s.body, s.topic, s.commitment_due, s.commitment_met_on
            )
            for s in statements.values()
            if s.commitment_due is not None
        ),
        day,
    )
    overdue = [(statements[c.key], days) for c, days in late]
    show(request, [s for s, _ in overdue])
    return overdue
