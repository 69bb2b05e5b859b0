"""The working group's queue: every open allied request its member may see, scored and ranked.

Requests come from the registered sources of each module (``allied.core.queue``); weights come
from the partner priorities the member may see and the request types the group has set. The
sources keep one narrow, marked queue table (``QueueEntry``, ``allied.working_group.entries``)
with a stored score, so a page is one indexed statement instead of scoring every open request of
every module on every view; the rows shown are read again from their modules and scored in Python
(with its parts) by ``allied.working_group.rules.priority``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, Count, F, FloatField, Func, IntegerField, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Greatest
from django.db.models.lookups import GreaterThan

from allied.core.queue import SOURCES, QueueItem, Source
from allied.working_group.models import PartnerPriority, RequestKind
from allied.working_group.rules.priority import (
    DEFAULT_KINDS,
    DEFAULT_TARGET_DAYS,
    Score,
    Weights,
    WeightSetting,
    partner_weights_on,
    score,
)

KIND_LABELS = {
    "disclosure": "Disclosure request",
    "lor": "Letter of request",
    "fms_case": "FMS case",
    "fms_delivery": "FMS case in delivery",
    "dcs_licence": "DCS licence",
    "planning": "Planning request",
    "liaison": "Liaison",
    "training": "Training",
    "exercise": "Exercise",
    "other": "Other request",
}


@dataclass(frozen=True, slots=True)
class Ranked:
    item: QueueItem
    score: Score

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.item.kind, self.item.kind.replace("_", " ").capitalize())


def weights_for(who: Any, on: date) -> Weights:
    """The weights in force on ``on``, from the partner priorities ``who`` may see."""
    settings = [
        WeightSetting(nation, float(weight), start)
        for nation, weight, start in PartnerPriority.objects.visible_to(who, on=on)
        .filter(effective_from__lte=on)
        .values_list("nation_id", "weight", "effective_from")
    ]
    kinds = dict(DEFAULT_KINDS)
    for code, target, weight in RequestKind.objects.values_list("code", "target_days", "weight"):
        kinds[code] = (target, float(weight))
    return Weights(partners=partner_weights_on(settings, on), kinds=kinds)


def rank(items: Iterable[QueueItem], weights: Weights, on: date) -> list[Ranked]:
    return [
        Ranked(
            item,
            score(
                partner=item.partner,
                kind=item.kind,
                opened=item.opened,
                target=item.target,
                flags=item.flags,
                weights=weights,
                on=on,
            ),
        )
        for item in items
    ]


# --- the score in SQL ---------------------------------------------------------------------------


class DaysBetween(Func):
    """Whole days from ``earlier`` to ``later`` (dates), on PostgreSQL and SQLite alike."""

    output_field = IntegerField()

    def __init__(self, later: Any, earlier: Any) -> None:
        super().__init__(later, earlier)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        later, later_params = compiler.compile(self.source_expressions[0])
        earlier, earlier_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "postgresql":
            sql = f"(CAST({later} AS date) - CAST({earlier} AS date))"
        else:
            sql = f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
        return sql, [*later_params, *earlier_params]


def _float(value: float) -> Value:
    return Value(float(value), output_field=FloatField())


def _case(column: str, mapping: dict[str, float], default: float) -> Any:
    whens = [When(**{column: key}, then=_float(v)) for key, v in mapping.items()]
    return (
        Case(*whens, default=_float(default), output_field=FloatField())
        if whens
        else _float(default)
    )


#: The columns a source's ranked queryset carries (``allied.core.queue.Source.rows``).
SOURCE_COLUMNS = {
    "partner": "q_partner",
    "kind": "q_kind",
    "opened": "q_opened",
    "target": "q_target",
    "flags": "q_flags",
}


def score_parts(weights: Weights, on: date, columns: dict[str, str]) -> dict[str, Any]:
    """``q_age``, ``q_target_days``, ``q_escalation`` and ``q_score`` as expressions over the
    ``columns`` (partner, kind, opened, target, flags): the same numbers as
    ``rules.priority.score``. Written out in full (no reference to another annotation) so that
    the queue table can store them with one ``UPDATE``; the database computes them the same way
    for a stored score and for one computed on a page, so both rank alike."""
    today = Value(on)
    partner, kind, opened, target, flags = (
        columns[c] for c in ("partner", "kind", "opened", "target", "flags")
    )
    kind_targets = {k: float(t) for k, (t, _) in weights.kinds.items()}
    # GREATEST ignores NULL on PostgreSQL but not on SQLite: only a row with a target has one.
    own_target = Case(
        When(
            **{f"{target}__isnull": False},
            then=Greatest(DaysBetween(F(target), F(opened)), Value(1)),
        ),
        default=Value(None),
        output_field=IntegerField(),
    )
    age = Greatest(DaysBetween(today, F(opened)), Value(0))
    target_days = Cast(
        Coalesce(own_target, _case(kind, kind_targets, DEFAULT_TARGET_DAYS)), IntegerField()
    )
    bonus: Any = _float(0)
    for flag, value in weights.flags.items():
        bonus = bonus + Case(
            When(**{f"{flags}__contains": f",{flag},"}, then=_float(value)),
            default=_float(0),
            output_field=FloatField(),
        )
    lateness = Greatest(_float(1), Cast(age, FloatField()) / Cast(target_days, FloatField()))
    return {
        "q_age": age,
        "q_target_days": target_days,
        "q_escalation": Case(
            When(GreaterThan(age, target_days * 2), then=Value(2)),
            When(GreaterThan(age, target_days), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        "q_score": _case(partner, dict(weights.partners), 1.0)
        * _case(kind, {k: w for k, (_, w) in weights.kinds.items()}, 1.0)
        * lateness
        + bonus,
    }


def ranked_rows(rows: Any, weights: Weights, on: date) -> Any:
    """``rows`` (a source's annotated queryset) with ``q_age``, ``q_target_days``,
    ``q_escalation`` and ``q_score``: the same numbers as ``rules.priority.score``."""
    return rows.annotate(**score_parts(weights, on, SOURCE_COLUMNS))


# --- pages ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    partner: str = ""
    kind: str = ""
    escalated: bool = False

    def apply(self, rows: Any) -> Any:
        if self.partner:
            rows = rows.filter(q_partner=self.partner)
        if self.kind:
            rows = rows.filter(q_kind=self.kind)
        if self.escalated:
            rows = rows.filter(q_escalation__gt=0)
        return rows


@dataclass
class QueuePage:
    rows: list[Ranked]
    total: int
    escalated: int


COLUMNS = ("q_source", "q_id", "q_score", "q_opened")


def _ranked(source: Source, who: Any, on: date, weights: Weights, filters: Filters) -> Any:
    return filters.apply(ranked_rows(source.rows(who, on), weights, on))


def build(
    who: Any, on: date, filters: Filters = Filters(), *, offset: int = 0, limit: int = 50
) -> QueuePage:
    """One page of the ranked queue, with its totals (all counted over visible requests only).

    Read from the queue table (``QueueEntry``) restricted to ``who``: one aggregate for the
    totals and one ordered statement for the page. When the stored scores are those of
    ``who``'s weights (today's, and ``who`` may see every partner priority), the page is the
    top of the ``score DESC`` index; otherwise (a viewer who sees fewer priorities, another day)
    the score is computed by the same expression over the table's narrow rows, so no stored
    score ranks anyone by a weight it may not see.
    """
    from allied.working_group.entries import ENTRY_COLUMNS, scoring_is_stored
    from allied.working_group.models import QueueEntry

    weights = weights_for(who, on)
    rows = QueueEntry.objects.visible_to(who, on=on).filter(is_open=True)
    if filters.partner:
        rows = rows.filter(partner_id=filters.partner)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if scoring_is_stored(weights, on):
        late, order = "escalation", ("-score", "opened", "source_rank", "source_id")
    else:
        rows = rows.annotate(**score_parts(weights, on, ENTRY_COLUMNS))
        late, order = "q_escalation", ("-q_score", "opened", "source_rank", "source_id")
    if filters.escalated:
        rows = rows.filter(**{f"{late}__gt": 0})
    counts = rows.order_by().aggregate(
        n=Count("pk"), late=Count("pk", filter=Q(**{f"{late}__gt": 0}))
    )
    total, escalated = counts["n"], counts["late"]
    if total == 0:
        return QueuePage([], total, escalated)
    page = list(rows.order_by(*order).values_list("source", "source_id")[offset : offset + limit])
    wanted: dict[str, list[Any]] = {}
    for name, pk in page:
        wanted.setdefault(name, []).append(pk)
    found = {
        (name, pk): item
        for name, pks in wanted.items()
        if name in SOURCES
        for pk, item in SOURCES[name].items(who, on, pks).items()
    }
    items = [found[key] for key in page if key in found]
    return QueuePage(rank(items, weights, on), total, escalated)


def build_from_sources(
    who: Any, on: date, filters: Filters = Filters(), *, offset: int = 0, limit: int = 50
) -> QueuePage:
    """The queue scored across every source's open requests (what ``build`` reads from the
    queue table): the definition the table is checked against, not for pages."""
    weights = weights_for(who, on)
    sources = list(SOURCES.values())
    total = escalated = 0
    parts = []
    for index, source in enumerate(sources):
        rows = _ranked(source, who, on, weights, filters)
        counts = rows.order_by().aggregate(
            n=Count("pk"), late=Count("pk", filter=Q(q_escalation__gt=0))
        )
        total += counts["n"]
        escalated += counts["late"]
        parts.append(rows.annotate(q_source=Value(index), q_id=F("pk")).order_by().values(*COLUMNS))
    if not parts or total == 0:
        return QueuePage([], total, escalated)
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    page = list(union.order_by("-q_score", "q_opened", "q_source", "q_id")[offset : offset + limit])
    wanted: dict[int, list[Any]] = {}
    for row in page:
        wanted.setdefault(row["q_source"], []).append(row["q_id"])
    found = {
        (index, pk): item
        for index, pks in wanted.items()
        for pk, item in sources[index].items(who, on, pks).items()
    }
    items = [found[(r["q_source"], r["q_id"])] for r in page if (r["q_source"], r["q_id"]) in found]
    return QueuePage(rank(items, weights, on), total, escalated)


def summary(who: Any, on: date) -> tuple[dict[tuple[str, str], tuple[int, int, int]], Weights]:
    """Per (partner, kind): open requests, how many are escalated, the oldest age in days
    (one statement over the queue table, restricted to ``who``)."""
    from django.db.models import Max

    from allied.working_group.entries import ENTRY_COLUMNS
    from allied.working_group.models import QueueEntry

    weights = weights_for(who, on)
    rows = (
        QueueEntry.objects.visible_to(who, on=on)
        .filter(is_open=True)
        .annotate(**score_parts(weights, on, ENTRY_COLUMNS))
    )
    found: dict[tuple[str, str], tuple[int, int, int]] = {}
    for partner, kind, n, late, oldest in (
        rows.order_by()
        .values_list("partner_id", "kind")
        .annotate(
            n=Count("pk"), late=Count("pk", filter=Q(q_escalation__gt=0)), oldest=Max("q_age")
        )
    ):
        found[(partner, kind)] = (n, late, oldest or 0)
    return found, weights


def most_blocked(who: Any, on: date, limit: int) -> list[Ranked]:
    """The escalated requests that have blockers, the most overdue first (at most ``limit``)."""
    page = build(who, on, Filters(escalated=True), limit=limit * 4)
    blocked = [r for r in page.rows if r.item.blockers]
    return sorted(
        blocked, key=lambda r: (-r.score.escalation, -r.score.days_past_target, -r.score.total)
    )[:limit]
