"""The audit log's one sealer: chains committed entries in batches, off the request path.

Requests insert their audit entries unsealed (:mod:`allied.core.audit`): no sequence number, no
hashes, no lock. This module is the log's single sequencer, as in a transparency log (Trillian's
``IntegrateBatch``): in one transaction per batch it takes the committed unsealed entries in id
order, gives them the next consecutive sequence numbers, links each to the one before
(``prev_hash``) and seals it with :func:`allied.audit_chain.entry_hash` (HMAC-SHA-256 under
``ALLIED_AUDIT_KEY``, else SHA-256), in one UPDATE per batch.

**Order.** An entry's id is given when it is inserted, but transactions commit in any order, so
an entry with a lower id may become visible after higher ones were sealed. Nothing is skipped
for that: each batch selects by state (``sequence IS NULL``), not by an id watermark, so a late
commit is simply sealed in a later batch. The chain's order is therefore *the order in which the
sealer saw entries committed*, and within one batch, id order; ``at`` keeps the time the request
recorded it. A guard window (Trillian's) would only make sequence order follow id order more
closely, at the price of lag, so there is none. Sealing reads the entries as stored, so the hash
covers exactly what verification will read back.

**One sealer at a time.** On PostgreSQL each batch takes the transaction-scoped advisory lock
:data:`allied.core.audit.ADVISORY_LOCK_KEY` before it reads the head, and releases it at commit:
no session state, so it works behind PgBouncer in transaction mode. On SQLite the batch's first
statement is a write, which takes the database's single writer lock for the transaction. The
unique sequence number, the ``sequence IS NULL`` condition of the UPDATE and PostgreSQL's
seal-only trigger are further guards: a second sealer that raced anyway fails, and its batch is
rolled back whole.

**Crashes.** A batch commits whole or not at all; entries it did not seal stay unsealed and the
next run picks them up. Nothing is lost between a request's commit and the seal.

**Trust.** The tamper-evidence window is the interval between commit and seal: an unsealed entry
is guarded by the same append-only triggers as a sealed one, and ``allied audit verify`` lists it
with its age. Anyone who can INSERT into the table can have an entry sealed (the key is the
sealer's, not the request's), as anyone with the application's database role could always write
entries through the application.

``allied audit seal`` runs it once (until nothing is left), ``allied audit seal --follow`` is the
production process, and ``allied demo`` runs :func:`start_background_sealer` beside its server.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError, OperationalError, connections, router, transaction
from django.db.models import Count, Min
from django.utils import timezone

from allied.audit_chain import GENESIS, entry_hash
from allied.core.audit import ADVISORY_LOCK_KEY, audit_key
from allied.core.models.audit import CONTENT_FIELDS, AuditEntry

logger = logging.getLogger("allied.audit.sealer")

#: Entries sealed in one transaction at most.
BATCH_SIZE = 5000
#: Seconds the production process waits between looks at an empty queue.
INTERVAL = 0.2

_TABLE = AuditEntry._meta.db_table


def _alias(using: str | None) -> str:
    return using or router.db_for_write(AuditEntry)


def _take_the_sealers_lock(using: str) -> None:
    """Be the only sealer until this transaction ends."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        else:
            # A write that changes nothing: SQLite takes its writer lock at the first write of a
            # transaction, so reading the head below cannot race another sealer's commit.
            cursor.execute(f"UPDATE {_TABLE} SET id = id WHERE 0 = 1")


def head(using: str | None = None) -> tuple[int, str] | None:
    """``(sequence, hash)`` of the last sealed entry, or None when nothing is sealed yet."""
    last = (
        AuditEntry.objects.using(_alias(using))
        .filter(sequence__isnull=False)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    )
    return None if last is None else (int(last[0]), str(last[1]))


def seal_batch(limit: int = BATCH_SIZE, using: str | None = None) -> int:
    """Seal up to ``limit`` committed unsealed entries after the head, in one transaction.

    Returns how many were sealed (0 when the queue is empty). Inside a caller's transaction (a
    test's) it seals that transaction's own entries too, and the lock is held to its end.
    """
    using = _alias(using)
    key = audit_key()
    # Look before locking: an idle poll then takes no lock at all. On SQLite that matters: a
    # sealer holding the writer lock while a request that has read wants to write makes SQLite
    # refuse the request at once ("database is locked") rather than wait.
    if not AuditEntry.objects.using(using).filter(sequence__isnull=True).exists():
        return 0
    with transaction.atomic(using=using):
        _take_the_sealers_lock(using)
        last = head(using)
        sequence, prev_hash = last if last is not None else (0, GENESIS)
        rows = list(
            AuditEntry.objects.using(using)
            .filter(sequence__isnull=True)
            .order_by("id")
            .values_list("id", *CONTENT_FIELDS)[:limit]
        )
        if not rows:
            return 0
        ids, sequences, prev_hashes, hashes = [], [], [], []
        for pk, *content in rows:
            sequence += 1
            digest = entry_hash(
                prev_hash, sequence, dict(zip(CONTENT_FIELDS, content, strict=True)), key
            )
            ids.append(pk)
            sequences.append(sequence)
            prev_hashes.append(prev_hash)
            hashes.append(digest)
            prev_hash = digest
        _write_seals(using, ids, sequences, prev_hashes, hashes, timezone.now())
    return len(rows)


def _write_seals(
    using: str,
    ids: list[int],
    sequences: list[int],
    prev_hashes: list[str],
    hashes: list[str],
    sealed_at: datetime,
) -> None:
    """Fill in the chain columns of ``ids``: one statement on PostgreSQL, one executemany else."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {_TABLE} AS e SET sequence = v.sequence, prev_hash = v.prev_hash, "
                "hash = v.hash, sealed_at = %s "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::varchar[]) "
                "AS v(id, sequence, prev_hash, hash) "
                "WHERE e.id = v.id AND e.sequence IS NULL",
                [sealed_at, ids, sequences, prev_hashes, hashes],
            )
            written = cursor.rowcount
        else:
            cursor.executemany(
                f"UPDATE {_TABLE} SET sequence = %s, prev_hash = %s, hash = %s, sealed_at = %s "
                "WHERE id = %s AND sequence IS NULL",
                [
                    (s, p, h, sealed_at, pk)
                    for pk, s, p, h in zip(ids, sequences, prev_hashes, hashes, strict=True)
                ],
            )
            written = cursor.rowcount
    if written != len(ids):
        # Another sealer got there first: roll the whole batch back rather than fork the chain.
        raise DatabaseError(f"sealed {written} of {len(ids)} audit entries; the batch is undone")


@dataclass(frozen=True)
class Sealed:
    """What one :func:`seal` did."""

    entries: int
    batches: int
    head: tuple[int, str] | None


def seal(using: str | None = None, batch_size: int = BATCH_SIZE) -> Sealed:
    """Seal every entry committed so far (and the caller's own, inside its transaction).

    The on-demand sealer: ``allied audit seal``, and tests that read sequence numbers or hashes
    call it first. Safe beside a running ``--follow``: the lock makes them take turns.
    """
    total = batches = 0
    while True:
        done = seal_batch(batch_size, using)
        if done:
            total += done
            batches += 1
        if done < batch_size:
            return Sealed(total, batches, head(using))


def follow(
    *,
    interval: float = INTERVAL,
    batch_size: int = BATCH_SIZE,
    using: str | None = None,
    stop: threading.Event | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> None:
    """Seal for ever (until ``stop`` is set): a full batch is followed at once by the next, an
    empty queue is looked at again after ``interval`` seconds. A database error (a restart, a
    lost connection) is logged and retried after the interval, on a new connection."""
    stop = stop or threading.Event()
    using = _alias(using)
    while not stop.is_set():
        try:
            done = seal_batch(batch_size, using)
        except OperationalError as error:  # the database is away or busy: try again soon
            logger.warning("audit sealing failed (%s); retrying in %s s", error, interval)
            connections[using].close()
            done = 0
        except DatabaseError:
            logger.exception("audit sealing failed; retrying in %s s", interval)
            connections[using].close()
            done = 0
        else:
            if done and on_batch is not None:
                on_batch(done)
        if done < batch_size:
            stop.wait(interval)


def start_background_sealer(interval: float = INTERVAL) -> threading.Event:
    """Run :func:`follow` in a daemon thread of this process (``allied demo``); set the returned
    event to stop it. A single-process server needs no second command for its log to be sealed."""
    stop = threading.Event()

    def run() -> None:
        try:
            follow(interval=interval, stop=stop)
        finally:
            connections.close_all()

    threading.Thread(target=run, name="allied-audit-sealer", daemon=True).start()
    return stop


# --- what is waiting -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    """The entries committed but not yet sealed, and the sealer's recent lag."""

    unsealed: int
    oldest_unsealed_at: datetime | None
    last_sequence: int | None
    last_sealed_at: datetime | None
    #: Seconds from an entry's ``at`` to its seal, over recently sealed entries: p50, p99, max.
    recent_lag: tuple[float, float, float] | None
    recent_count: int
    now: datetime

    @property
    def oldest_age(self) -> float | None:
        """Seconds since the oldest unsealed entry was recorded: the sealing lag right now."""
        if self.oldest_unsealed_at is None:
            return None
        return max((self.now - self.oldest_unsealed_at).total_seconds(), 0.0)


def queue(using: str | None = None, recent: int = 10_000) -> Queue:
    """The queue's length and age, and the lag over the last ``recent`` sealed entries.

    Cheap on a log of any length: the unsealed entries are read through their partial index and
    the recent ones by a range of sequence numbers."""
    using = _alias(using)
    entries = AuditEntry.objects.using(using)
    waiting = entries.filter(sequence__isnull=True).aggregate(n=Count("id"), oldest=Min("at"))
    last = entries.filter(sequence__isnull=False).order_by("-sequence")
    newest = last.values_list("sequence", "sealed_at").first()
    lags: list[float] = []
    if newest is not None:
        window = last.filter(sequence__gt=newest[0] - recent, sealed_at__isnull=False)
        for at, sealed_at in window.values_list("at", "sealed_at"):
            lags.append(max((sealed_at - at).total_seconds(), 0.0))
    lags.sort()
    summary = None
    if lags:
        summary = (_pick(lags, 0.5), _pick(lags, 0.99), lags[-1])
    return Queue(
        unsealed=int(waiting["n"] or 0),
        oldest_unsealed_at=waiting["oldest"],
        last_sequence=None if newest is None else int(newest[0]),
        last_sealed_at=None if newest is None else newest[1],
        recent_lag=summary,
        recent_count=len(lags),
        now=timezone.now(),
    )


def _pick(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def wait_until_sealed(timeout: float = 10.0, using: str | None = None) -> bool:
    """Wait until nothing committed is left unsealed (a running sealer's work); True if so."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not AuditEntry.objects.using(_alias(using)).filter(sequence__isnull=True).exists():
            return True
        time.sleep(0.05)
    return False


__all__ = [
    "BATCH_SIZE",
    "INTERVAL",
    "Queue",
    "Sealed",
    "follow",
    "head",
    "queue",
    "seal",
    "seal_batch",
    "start_background_sealer",
    "wait_until_sealed",
]
