"""Arms-sales actions: judge a case by the notification engine, complete a stage, forecast.

The rules are pure (``allied.arms.rules``); this module reads and writes rows for them. Every
write is one transaction, re-read through its author's restricted queryset (``write_visible``)
and audited with the decision it records.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from allied.arms import access, stats
from allied.arms.models import Blocker, Case, HistoryEntry, Review, ReviewDecision, StageRecord
from allied.arms.rules import forecast as mc
from allied.arms.rules.lifecycle import (
    ORDER,
    REVIEW_LABELS,
    STAGE_INFO,
    AodGroup,
    Holds,
    ReviewType,
    Stage,
    anticipated_offer_date,
    completion_holds,
    next_stage,
    offer_expiration,
)
from allied.arms.rules.notification import (
    Channel,
    Decision,
    NotificationInputError,
    PastSale,
    Sale,
    UsmlCategory,
    decide,
    review_total,
)
from allied.core import audit
from allied.core.edit import StaleVersion, claim_version, not_found
from allied.core.models.marked import write_visible

AOD_INDEX = {g.value: n for n, g in enumerate(AodGroup)}


class StageError(ValueError):
    """A stage change that cannot be made; the message says why."""


class StageHeld(StageError):
    """A review stage with a pending required review or an open blocker: nothing was written.

    ``reviews`` and ``blockers`` are the rows that hold it (read through the person's restricted
    querysets, so a page or response naming them shows only what that person may see).
    """

    def __init__(self, stage: Stage, holds: Holds, reviews: list[Any], blockers: list[Any]) -> None:
        self.stage, self.holds, self.reviews, self.blockers = stage, holds, reviews, blockers
        super().__init__(
            f"{STAGE_INFO[stage].label} cannot complete while there are {holds.describe()}. "
            "Record the reviews' decisions and resolve the blockers, or, as the case manager, "
            "override with a reason"
        )


def claim(case: Case, user: Any, expected_version: int | None) -> None:
    """Make ``case`` the stored case at its next version, locked until the transaction ends.

    With ``expected_version``, the version is compared and bumped in one statement
    (``claim_version``): of several changes from the same version exactly one goes through, and
    the others raise ``StaleVersion`` naming the version and stage stored now. Without it (the
    demo, scripts), the change starts from the version stored now. A case the person may not see
    answers 404 as a missing one. The stored values are copied onto ``case``, so that the change
    is made to what is stored, not to what was read.
    """
    rows = access.cases(user)
    opened = expected_version
    if opened is None:
        opened = rows.filter(pk=case.pk).values_list("version", flat=True).first()
        if opened is None:
            not_found()
    try:
        claim_version(rows, case.pk, opened, what="case")
    except StaleVersion as stale:
        stage = rows.filter(pk=case.pk).values_list("stage", flat=True).first()
        also = f"stage {STAGE_INFO[Stage(stage)].label}" if stage else ""
        raise StaleVersion("case", opened, stale.current, also=also) from None
    stored = rows.select_related("marking").get(pk=case.pk)
    for column in Case._meta.concrete_fields:
        setattr(case, column.attname, getattr(stored, column.attname))
    case.marking = stored.marking


#: What a case manager may change on a case's page or through the API (stages change by
#: ``advance``; values and markings come from the case's documents, not from this form).
EDITABLE = ("title", "capability", "implementing_agency", "stage_owner", "lor_reference")


def edit_case(
    case: Case, user: Any, changes: dict[str, Any], *, expected_version: int | None
) -> Case:
    """Change the ``EDITABLE`` fields of ``case`` from ``expected_version``, audited; or raise
    ``StaleVersion`` and write nothing."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")

    def write() -> Case:
        claim(case, user, expected_version)
        changed = {
            name: [getattr(case, name), value]
            for name, value in changes.items()
            if getattr(case, name) != value
        }
        for name, value in changes.items():
            setattr(case, name, value)
        case.save()
        audit.record(
            "write",
            actor=user,
            obj=case,
            detail={"created": False, "version": case.version, "changed": changed},
        )
        return case

    with transaction.atomic():
        return write_visible(write, user)


def sale_of(case: Any, channel: Channel = Channel.FMS) -> Sale:
    """A case or licence as the notification engine sees it (judged on its LOR or submit date)."""
    on = getattr(case, "lor_received", None) or getattr(case, "submitted", None)
    usml = getattr(case, "usml_category", "") or ""
    return Sale(
        partner=case.partner_id,
        channel=channel,
        on=on or datetime.date.today(),
        mde=case.mde_value,
        total=max(case.total_value, case.mde_value),
        design_construction=getattr(case, "design_construction_value", 0),
        usml_category=UsmlCategory.parse(usml) if usml else None,
        emergency=getattr(case, "emergency", False),
    )


def decision_for(case: Any, channel: Channel = Channel.FMS) -> Decision | None:
    """The engine's decision for a case, or None if the case's data cannot be judged."""
    try:
        return decide(sale_of(case, channel))
    except NotificationInputError:
        return None


def past_sales(rows: Iterable[dict[str, Any]]) -> list[PastSale]:
    """Past cases (``values()`` rows of visible cases) as the what-if comparison reads them."""
    sales = []
    for row in rows:
        try:
            sale = Sale(
                partner=row["partner_id"],
                channel=Channel.FMS,
                on=row["lor_received"],
                mde=row["mde_value"],
                total=max(row["total_value"], row["mde_value"]),
                design_construction=row["design_construction_value"],
                emergency=row["emergency"],
            )
        except NotificationInputError:
            continue
        sales.append(PastSale(row["identifier"], sale))
    return sales


# --- forecasts --------------------------------------------------------------------------------


def comparability_class(notification_required: bool, aod_group: str) -> int:
    """Comparable past cases: same AOD group, and whether Congress had to be notified."""
    return 2 * AOD_INDEX.get(aod_group, 1) + int(bool(notification_required))


def histories(visible_cases: Any, limit: int | None = None) -> dict[int, mc.History]:
    """Stage durations of delivered cases among ``visible_cases``, by comparability class
    (the ``limit`` most recently delivered, when given)."""
    done = visible_cases.filter(delivered__isnull=False).order_by("-delivered", "-pk")
    if limit is not None:
        done = done[:limit]
    meta = {
        row["pk"]: comparability_class(row["notification_required"], row["aod_group"])
        for row in done.values("pk", "notification_required", "aod_group")
    }
    if not meta:
        return {}
    records = (
        StageRecord.objects.visible_to(visible_cases.scope.viewer, on=visible_cases.scope.on)
        .filter(case_id__in=list(meta), days__isnull=False)
        .values_list("case_id", "stage", "days")
    )
    rows: dict[int, np.ndarray[Any, Any]] = {}
    for case_id, stage, days in records:
        column = mc.COLUMN.get(Stage(stage))
        if column is None or column >= mc.DELIVERY_COLUMN:
            continue
        row = rows.setdefault(case_id, np.zeros(mc.DELIVERY_COLUMN, dtype=np.int64))
        row[column] += days
    by_class: dict[int, list[np.ndarray[Any, Any]]] = defaultdict(list)
    for case_id, row in rows.items():
        by_class[meta[case_id]].append(row)
    return {k: mc.History(np.vstack(v)) for k, v in by_class.items()}


def forecast_cases(
    cases: Sequence[Case],
    history: dict[int, mc.History],
    on: datetime.date,
    draws: int = 1000,
    seed: int = 0,
) -> list[Case]:
    """Set each open case's offer and delivery quantiles (as dates) from ``history``."""
    todo = [
        c
        for c in cases
        if c.stage in {s.value for s in mc.FORECAST_STAGES} and c.stage != Stage.DELIVERED
    ]
    if not todo or not history:
        return []
    target = [
        float((c.anticipated_offer - on).days) if c.anticipated_offer else np.nan for c in todo
    ]
    result = mc.forecast(
        [Stage(c.stage) for c in todo],
        [max(0, (on - c.stage_entered).days) for c in todo],
        [comparability_class(c.notification_required, c.aod_group) for c in todo],
        history,
        draws=draws,
        seed=seed,
        target_days=np.asarray(target),
    )
    for n, case in enumerate(todo):
        offered = ORDER[Stage(case.stage)] >= ORDER[Stage.LOA_OFFERED]
        if offered:
            case.offer_p10 = case.offer_p50 = case.offer_p90 = case.offered
            case.offer_on_time = None
        else:
            case.offer_p10, case.offer_p50, case.offer_p90 = (
                on + datetime.timedelta(days=int(d)) for d in result.offer[n]
            )
            ratio = result.on_target[n]
            case.offer_on_time = None if np.isnan(ratio) else float(ratio)
        case.delivery_p10, case.delivery_p50, case.delivery_p90 = (
            on + datetime.timedelta(days=int(d)) for d in result.delivery[n]
        )
        case.forecast_on = on
    return todo


FORECAST_FIELDS = [
    "offer_p10",
    "offer_p50",
    "offer_p90",
    "delivery_p10",
    "delivery_p50",
    "delivery_p90",
    "offer_on_time",
    "forecast_on",
]


# --- completing a stage -------------------------------------------------------------------------


def review_name(review: Review) -> str:
    label = REVIEW_LABELS.get(ReviewType(review.review_type), review.review_type)
    return f"{label} (owner {review.owner}, since {review.started:%Y-%m-%d})"


def blocker_name(blocker: Blocker) -> str:
    text = " ".join(blocker.text.split())
    text = text if len(text) <= 120 else text[:119] + "\u2026"
    return f"{text} (owner {blocker.owner}, since {blocker.opened:%Y-%m-%d})"


def holds_of(case: Case, user: Any, stage: Stage) -> tuple[Holds, list[Review], list[Blocker]]:
    """What holds ``stage`` of ``case`` open, as ``user`` may see it."""
    reviews = list(
        access.case_rows(Review, user)
        .filter(case=case, decision=ReviewDecision.PENDING)
        .select_related("marking")
        .order_by("started", "pk")
    )
    blockers = list(
        access.case_rows(Blocker, user)
        .filter(case=case, resolved__isnull=True)
        .select_related("marking")
        .order_by("opened", "pk")
    )
    holds = completion_holds(
        stage, [review_name(r) for r in reviews], [blocker_name(b) for b in blockers]
    )
    if not holds:
        return holds, [], []
    return holds, reviews, blockers


def may_override(user: Any) -> bool:
    """Only a U.S. case manager overrides a held review stage."""
    from allied.core.models.principals import principal_for

    return access.us_case_manager(principal_for(user))


def advance(
    case: Case,
    user: Any,
    *,
    on: datetime.date | None = None,
    note: str = "",
    owner: str = "",
    expected_version: int | None = None,
    override_reason: str = "",
) -> Case:
    """Complete ``case``'s current stage and open the next; recompute its forecast.

    Stages that do not apply are skipped: a case that needs no formal notification goes from
    LOA development straight to the offer. A review stage (``REVIEW_STAGES``) does not complete
    while a required review is pending or a blocker is open (``StageHeld`` names them), unless a
    case manager gives ``override_reason``: the override is then a recorded decision (history
    entry and audit, with the reason and what was still open). The whole change (stage records,
    case, history entry, audit) commits together, or nothing does. The stage completed is the one
    stored when the row is locked (``claim``); with ``expected_version`` a second submission of
    the same change, or any change from an older version, raises ``StaleVersion`` instead of
    completing a stage more.
    """
    day = on or timezone.localdate()
    override_reason = " ".join(override_reason.split())

    def write() -> Case:
        claim(case, user, expected_version)
        current = Stage(case.stage)
        following = _next_of(case, day)
        overridden = _overridden(case, user, current, override_reason)
        decision = decision_for(case)
        following = _applicable(following, decision)
        _complete_open_stage(case, user, day, note)
        _start_stage(case, following, day, owner, decision)
        _reforecast(case, user, day)
        case.save()
        _record_completion(case, user, (current, following), day, note, overridden)
        return case

    with transaction.atomic():
        return write_visible(write, user, on=day)


def _next_of(case: Case, day: datetime.date) -> Stage:
    """The stage after ``case``'s current one, if the current one may complete on ``day``."""
    following = next_stage(Stage(case.stage))
    if following is None:
        raise StageError("a closed case has no next stage")
    if day < case.stage_entered:
        raise StageError(f"the stage cannot complete before it started ({case.stage_entered})")
    return following


def _overridden(case: Case, user: Any, stage: Stage, reason: str) -> dict[str, Any] | None:
    """What holds ``stage`` open, overridden by the case manager's ``reason`` (None when nothing
    holds it); ``StageHeld`` without a reason, ``StageError`` for anyone else's."""
    holds, held_reviews, held_blockers = holds_of(case, user, stage)
    if not holds:
        return None
    if not reason:
        raise StageHeld(stage, holds, held_reviews, held_blockers)
    if not may_override(user):
        raise StageError("only a U.S. case manager may override a held review stage")
    return {
        "reason": reason,
        "pending_reviews": [r.pk for r in held_reviews],
        "open_blockers": [b.pk for b in held_blockers],
    }


def _applicable(following: Stage, decision: Decision | None) -> Stage:
    """``following``, or the stage after the congressional review where none is required."""
    stage: Stage | None = following
    if decision is not None and not decision.required:
        while stage in (Stage.INFORMAL_REVIEW, Stage.FORMAL_NOTIFICATION):
            stage = next_stage(stage)
    assert stage is not None
    return stage


def _complete_open_stage(case: Case, user: Any, day: datetime.date, note: str) -> None:
    """Complete the case's open stage records on ``day``, with their durations counted."""
    records = access.case_rows(StageRecord, user).filter(case=case, completed__isnull=True)
    for record in records:
        record.completed = day
        record.days = (day - record.entered).days
        record.completed_by = user
        record.note = note or record.note
        record.save()
        stats.record_stage(record, case)


def _start_stage(
    case: Case, stage: Stage, day: datetime.date, owner: str, decision: Decision | None
) -> None:
    """Open ``stage`` on ``day``: its stage record, and the case's stage, dates and decision."""
    info = STAGE_INFO[stage]
    target = info.target_days
    if stage is Stage.FORMAL_NOTIFICATION and decision is not None:
        target = decision.review_days
    StageRecord(
        case=case,
        stage=stage.value,
        entered=day,
        owner=owner or info.owner,
        target_days=target,
        marking=case.marking,
    ).save()
    case.stage = stage.value
    case.stage_entered = day
    case.stage_owner = owner or info.owner
    _set_milestones(case, stage, day, decision)
    if decision is not None:
        case.notification_required = decision.required
        case.review_days = decision.review_days


def _set_milestones(
    case: Case, stage: Stage, day: datetime.date, decision: Decision | None
) -> None:
    """The case's dates that starting ``stage`` on ``day`` sets."""
    if stage is Stage.LOR_VALIDATED and case.anticipated_offer is None:
        notify = review_total(decision) if decision is not None else 0
        case.anticipated_offer = anticipated_offer_date(day, AodGroup(case.aod_group), notify)
    if stage is Stage.FORMAL_NOTIFICATION:
        case.notified = day
    if stage is Stage.LOA_OFFERED:
        case.offered = day
        case.offer_expires = offer_expiration(day)
    if stage is Stage.DELIVERED:
        case.delivered = day
    if stage is Stage.CLOSED:
        case.closed = day


def _reforecast(case: Case, user: Any, day: datetime.date) -> None:
    """Recompute the case's forecast: from comparable past cases first (the 500 latest), from
    all the visible history if there are none."""
    visible = access.cases(user)
    comparable = visible.filter(
        aod_group=case.aod_group, notification_required=case.notification_required
    )
    history = histories(comparable, limit=500) or histories(visible, limit=2000)
    forecast_cases([case], history, day)


def _record_completion(
    case: Case,
    user: Any,
    stages: tuple[Stage, Stage],
    day: datetime.date,
    note: str,
    overridden: dict[str, Any] | None,
) -> None:
    """The history entry and the audited decision of completing ``stages[0]`` for ``stages[1]``."""
    current, following = stages
    HistoryEntry(
        case=case,
        at=timezone.now(),
        actor=user,
        marking=case.marking,
        text=f"{STAGE_INFO[current].label} completed; {STAGE_INFO[following].label} started"
        + (f" ({note})" if note else "")
        # The names of what was open stay in the audit entry: the history entry carries the
        # case's marking, and a review or blocker may be marked higher than its case.
        + (
            f"; completed by the case manager's override: {overridden['reason']}"
            if overridden
            else ""
        ),
    ).save()
    detail: dict[str, Any] = {
        "stage_completed": current.value,
        "stage_started": following.value,
        "on": day.isoformat(),
        "version": case.version,
    }
    if overridden:
        detail["override"] = overridden
    audit.record("decision", actor=user, obj=case, detail=detail)


def refresh_forecasts(who: Any, on: datetime.date, *, draws: int = 1000) -> int:
    """Recompute the forecast of every open case ``who`` may see; the number updated."""
    visible = access.cases(who, on)
    history = histories(visible)
    open_cases = list(visible.filter(delivered__isnull=True, closed__isnull=True))
    updated = forecast_cases(open_cases, history, on, draws=draws)
    with transaction.atomic():
        Case.objects.visible_to(access.viewer(who, on), on=on).bulk_update(
            updated, FORECAST_FIELDS, batch_size=500
        )
    return len(updated)
