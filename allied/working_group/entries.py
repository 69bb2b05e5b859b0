"""The queue table (``QueueEntry``): kept by the sources, rebuilt on demand, scored once a day.

Why signals: every module writes its requests through ``Model.save()`` (pages, API, admin,
commands and demo alike), so ``post_save``/``post_delete`` reach every ordinary write without each
module's save paths having to remember the queue, and they run inside the writer's transaction:
a rolled-back write leaves no queue row, a committed one leaves its queue row. The few writes that
bypass ``save()`` (``bulk_create`` in the case book import, ``QuerySet.update`` when a planning
request is decided, bulk loaders) call ``sync`` themselves; ``rebuild`` (``allied
rebuild_queue``) makes the table again from the sources whatever happened.

The entry is read from the source's own ``entries`` queryset (the same annotations it ranks by),
as system work: the writer may not see every request a change touches (a re-marked plan hides the
requests about it), and the queue row must follow the source row whoever wrote it.

Scores: ``score`` and ``escalation`` are stored for one day and the group's weights
(``QueueScoring``). ``scoring_is_stored`` refreshes them on the first read of a new day or after a
weight changed (a partner priority or request type saved marks the scoring stale), in the reading
request's transaction; ``allied rebuild_queue --scores-only`` does the same from a nightly job so
that no reader waits for it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from allied.core.models import system_access
from allied.core.models.marked import current_system_access
from allied.core.queue import SOURCES, Source
from allied.working_group.models import (
    PartnerPriority,
    QueueEntry,
    QueueScoring,
    RequestKind,
)
from allied.working_group.rules.priority import (
    DEFAULT_KINDS,
    Weights,
    WeightSetting,
    partner_weights_on,
)

#: The queue table's columns, as ``queue.score_parts`` names them.
ENTRY_COLUMNS = {
    "partner": "partner_id",
    "kind": "kind",
    "opened": "opened",
    "target": "target",
    "flags": "flags",
}


@contextmanager
def _system(reason: str) -> Iterator[None]:
    """System work in a transaction (outside one, PostgreSQL would not see the system setting
    and the row-level security policies would let only the bound viewer's rows be written),
    inside an open system context if there is one (closing a nested one would turn the outer
    one off for the rest of the transaction)."""
    with transaction.atomic():
        if current_system_access() is not None:
            yield
            return
        with system_access(reason):
            yield


def kept_sources() -> list[tuple[int, Source]]:
    """The registered sources that give queue entries, with their rank (registry order)."""
    return [(rank, s) for rank, s in enumerate(SOURCES.values()) if s.entries is not None]


def _values(source: Source, rows: Any) -> Iterator[dict[str, Any]]:
    rows = source.entries(rows)
    fields = ["pk", "q_partner", "q_kind", "q_opened", "q_target", "q_flags", "q_title"]
    fields.append("q_marking")
    if "q_plan_marking" in rows.query.annotations:
        fields.append("q_plan_marking")
    yield from rows.order_by().values(*fields)


def _entry(rank: int, source: Source, row: dict[str, Any]) -> QueueEntry:
    return QueueEntry(
        source=source.name,
        source_id=row["pk"],
        source_rank=rank,
        partner_id=row["q_partner"],
        kind=row["q_kind"],
        opened=row["q_opened"],
        target=row["q_target"],
        flags=row["q_flags"] or "",
        title=(row["q_title"] or "")[:200],
        is_open=True,
        own_nation=source.own_nation,
        marking_id=row["q_marking"],
        plan_marking_id=row.get("q_plan_marking"),
    )


FIELDS = [
    "source_rank", "partner_id", "kind", "opened", "target", "flags", "title", "is_open",
    "own_nation", "marking_id", "plan_marking_id",
]  # fmt: skip


def sync(model: Any, pks: Iterable[Any]) -> None:
    """Upsert the queue rows of ``model``'s rows ``pks`` from their sources (closing the rows of
    requests no longer open), and score them as the stored scores are scored."""
    pks = list(pks)
    if not pks:
        return
    with _system("working group: keep the queue table"):
        for rank, source in kept_sources():
            if source.model is not model:
                continue
            found = {r["pk"]: r for r in _values(source, model.objects.filter(pk__in=pks))}
            held = {
                e.source_id: e
                for e in QueueEntry.objects.filter(source=source.name, source_id__in=pks)
            }
            for pk, row in found.items():
                entry = _entry(rank, source, row)
                old = held.get(pk)
                if old is None:
                    entry.save()
                else:
                    entry.pk = old.pk
                    entry.save(update_fields=FIELDS)
            gone = [pk for pk in held if pk not in found]
            if gone:
                QueueEntry.objects.filter(source=source.name, source_id__in=gone).update(
                    is_open=False, score=None, escalation=None
                )
            _score(QueueEntry.objects.filter(source=source.name, source_id__in=list(found)))


def forget(model: Any, pks: Iterable[Any]) -> None:
    """Delete the queue rows of ``model``'s deleted rows ``pks``."""
    names = [s.name for _, s in kept_sources() if s.model is model]
    if names:
        with _system("working group: keep the queue table"):
            QueueEntry.objects.filter(source__in=names, source_id__in=list(pks)).delete()


def rebuild(on: date | None = None) -> int:
    """Make the queue table again from every source, then score it; the number of open rows."""
    n = 0
    with _system("working group: rebuild the queue table"):
        QueueEntry.objects.all().delete()
        for rank, source in kept_sources():
            batch = [
                _entry(rank, source, row) for row in _values(source, source.model.objects.all())
            ]
            QueueEntry.objects.bulk_create(batch, batch_size=2000)
            n += len(batch)
        refresh_scores(on or timezone.localdate())
    return n


# --- stored scores ------------------------------------------------------------------------------


def group_weights(on: date) -> Weights:
    """The weights in force on ``on`` from every partner priority (system work): what a viewer
    who may see them all ranks by."""
    with _system("working group: score the queue table"):
        settings = [
            WeightSetting(nation, float(weight), start)
            for nation, weight, start in PartnerPriority.objects.filter(
                effective_from__lte=on
            ).values_list("nation_id", "weight", "effective_from")
        ]
    kinds = dict(DEFAULT_KINDS)
    for code, target, weight in RequestKind.objects.values_list("code", "target_days", "weight"):
        kinds[code] = (target, float(weight))
    return Weights(partners=partner_weights_on(settings, on), kinds=kinds)


def digest(weights: Weights) -> str:
    text = json.dumps(
        [
            sorted(weights.partners.items()),
            sorted(weights.kinds.items()),
            sorted(weights.flags.items()),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _score(rows: Any) -> None:
    state = QueueScoring.objects.first()
    if state is None:
        return  # scored on the next read
    from allied.working_group.ranking import score_parts

    parts = score_parts(group_weights(state.day), state.day, ENTRY_COLUMNS)
    rows.filter(is_open=True).update(score=parts["q_score"], escalation=parts["q_escalation"])


def refresh_scores(on: date) -> QueueScoring:
    """Store every open row's score for ``on`` and the group's weights (one ``UPDATE``)."""
    from allied.working_group.ranking import score_parts

    weights = group_weights(on)
    parts = score_parts(weights, on, ENTRY_COLUMNS)
    with _system("working group: score the queue table"):
        state = QueueScoring.objects.select_for_update().first() or QueueScoring(day=on)
        QueueEntry.objects.filter(is_open=True).update(
            score=parts["q_score"], escalation=parts["q_escalation"]
        )
        state.day, state.digest = on, digest(weights)
        state.save()
    return state


def scoring_is_stored(weights: Weights, on: date) -> bool:
    """Whether the stored scores are those of ``weights`` on ``on`` (refreshed first when today's
    are stale). A viewer with other weights than the group's is scored on the fly."""
    state = QueueScoring.objects.first()
    if state is None or ((state.day != on or not state.digest) and on == timezone.localdate()):
        state = refresh_scores(on)
    return state.day == on and state.digest == digest(weights)


def scoring_stale() -> None:
    """A weight changed: the stored scores are recomputed on the next read (or nightly job)."""
    QueueScoring.objects.update(digest="")


# --- signals ------------------------------------------------------------------------------------


def _saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        sync(sender, [instance.pk])


def _deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget(sender, [instance.pk])


def _hider_saved(source: Source, lookup: str) -> Callable[..., None]:
    """The receiver for a row ``source``'s requests hide with (``Source.hides_with``): a plan
    re-marked re-marks the queue rows of the requests about it."""

    def saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if raw:
            return
        model = source.model
        with _system("working group: keep the queue table"):
            pks = list(model.objects.filter(**{lookup: instance.pk}).values_list("pk", flat=True))
        sync(model, pks)

    return saved


def _related_model(model: Any, lookup: str) -> Any:
    """The model ``lookup`` (``"contingency"``, ``"task__contingency"``) leads to from ``model``."""
    for name in lookup.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def _weights_changed(sender: Any, **kwargs: Any) -> None:
    scoring_stale()


def connect() -> None:
    """Keep the queue table from every registered source's model and the rows its requests hide
    with (``apps.ready``), and from the bulk writes the modules announce (``rows_written``)."""
    from django.db.models.signals import post_delete, post_save

    from allied.core.queue import ROWS_WRITTEN_HOOKS

    if sync not in ROWS_WRITTEN_HOOKS:
        ROWS_WRITTEN_HOOKS.append(sync)
    for _, source in kept_sources():
        uid = f"allied-queue-{source.name}"
        post_save.connect(_saved, sender=source.model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_deleted, sender=source.model, dispatch_uid=f"{uid}-delete")
        for lookup in source.hides_with:
            post_save.connect(
                _hider_saved(source, lookup),
                sender=_related_model(source.model, lookup),
                weak=False,
                dispatch_uid=f"{uid}-hides-with-{lookup}",
            )
    for model in (PartnerPriority, RequestKind):
        post_save.connect(_weights_changed, sender=model, dispatch_uid=f"allied-queue-w-{model}")
        post_delete.connect(_weights_changed, sender=model, dispatch_uid=f"allied-queue-d-{model}")
