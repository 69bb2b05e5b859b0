"""The guidance log read for one member: conflicts and overdue commitments among the statements
that member may see (so a hidden statement can never make, or hide, a conflict shown to them)."""

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
    rows = show(
        request,
        GuidanceStatement.objects.visible_to(viewer_of(request), on=day)
        .select_related("marking", "partner")
        .order_by("pk"),
    )
    return {row.pk: row for row in rows}  # type: ignore[misc]


def visible_conflicts(request: HttpRequest, day: date) -> list[ShownConflict]:
    statements = visible_statements(request, day)
    found = rules.conflicts(
        rules.Statement(s.pk, s.partner_id, s.topic, s.get_body_display(), s.position, s.said_on)
        for s in statements.values()
    )
    return [ShownConflict(c, statements[c.first.key], statements[c.second.key]) for c in found]


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
    return [(statements[c.key], days) for c, days in late]
