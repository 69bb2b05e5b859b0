"""Many editors at once on one record: threads that really collide, and what must hold after.

``collide`` runs one callable per thread. Every thread waits at a barrier until all are ready, so
the submissions reach the server together; each thread has its own database connection (Django
keeps one per thread) and closes it when done. Whatever a thread returns or raises is kept, so a
500 or a deadlock in one thread fails the test in the test's own thread, with the traceback.

``edit_race`` is the check every versioned record passes: ``editors`` people open the record at
the same version and each submits a different change. Exactly one is accepted, every other one
gets the conflict (status and message), the record ends at the next version holding the winner's
change, the audit log gained exactly the winner's entries, and the chain still verifies. A new
kind of record needs only an ``EditTarget``: how to submit editor i's change, how to read the
record back, and which audit entries one accepted write makes::

    race = edit_race(EditTarget(
        submit=lambda i: clients[i].post(url, {**form, "title": f"Edit {i}"}),
        accepted=302,
        read_back=lambda: read_version_and_title(pk),
        change_of=lambda i: f"Edit {i}",
        entries=lambda: audit_entries("planning.plan", pk),
        start_version=1,
    ), editors=50)

The threads see only committed rows: use ``@pytest.mark.django_db(transaction=True)`` and make
the record (and sign the editors in) before the race. SQLite serialises writers with one lock and
an in-memory database per connection, so these tests need PostgreSQL (``requires_postgresql``).
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client

from allied.core.models import AuditEntry

T = TypeVar("T")

#: How many clients collide; ``ALLIED_CONCURRENT_CLIENTS`` lowers it on a database server with
#: few connections (each client holds one, and PostgreSQL allows 100 by default).
CLIENTS = int(os.environ.get("ALLIED_CONCURRENT_CLIENTS", "50"))
#: No thread waits longer than this, at the barrier or for its answer.
TIMEOUT = 60.0

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need a server database: SQLite serialises every writer with one "
    "lock, and its in-memory test database is not shared between threads' connections",
)


@dataclass(frozen=True)
class Attempt(Generic[T]):
    """What one thread's call returned, or the exception it raised (with its traceback)."""

    index: int
    value: T | None = None
    error: BaseException | None = None
    trace: str = ""

    def unwrap(self) -> T:
        if self.error is not None:
            raise AssertionError(f"attempt {self.index} raised:\n{self.trace}") from self.error
        return self.value


def collide(calls: Sequence[Callable[[], T]], *, timeout: float = TIMEOUT) -> list[Attempt[T]]:
    """Run every call in a thread of its own, all released at once by a barrier; in order."""
    barrier = threading.Barrier(len(calls))

    def run(index: int) -> Attempt[T]:
        try:
            barrier.wait(timeout)
            return Attempt(index, value=calls[index]())
        except BaseException as error:  # kept and reported in the test's thread
            return Attempt(index, error=error, trace=traceback.format_exc())
        finally:
            connections.close_all()  # this thread's connections only

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, index) for index in range(len(calls))]
        return [future.result(timeout=timeout) for future in futures]


def signed_in(user: Any, n: int = CLIENTS, kind: type[Client] = Client) -> list[Any]:
    """``n`` clients (``kind``: Django's or DRF's ``APIClient``), each its own session of
    ``user``; made before the race, since signing in writes the session and an audit entry."""
    made = []
    for _ in range(n):
        client = kind()
        client.force_login(user)
        made.append(client)
    return made


# --- the audit log --------------------------------------------------------------------------


def audit_entries(object_type: str, object_id: Any, *actions: str) -> list[tuple[str, str]]:
    """(action, actor) of the entries about one record, oldest first; reads are left out unless
    ``actions`` names them."""
    rows = AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id))
    rows = rows.filter(action__in=actions) if actions else rows.exclude(action="read")
    return list(rows.order_by("id").values_list("action", "actor_name"))


def assert_chain_verifies() -> None:
    """``allied audit verify`` finds the chain whole (it raises when anything is wrong), once
    the sealer has chained everything committed."""
    from allied.core import audit_sealer

    audit_sealer.seal()
    call_command("audit", "verify", stdout=open(os.devnull, "w"))  # noqa: SIM115


# --- the edit race ----------------------------------------------------------------------------


def status_of(response: Any) -> int:
    return int(response.status_code)


def text_of(response: Any) -> str:
    return response.content.decode("utf-8", "replace")


@dataclass(frozen=True)
class EditTarget:
    """How the race drives one kind of versioned record (see the module's docstring).

    ``submit(i)`` makes editor i's change from ``start_version`` and returns the HTTP response;
    ``read_back()`` is (version, the changed value) as stored; ``change_of(i)`` is editor i's
    value; ``entries()`` the audit entries of the record (``audit_entries``). An accepted write
    answers ``accepted`` (a status, or editor i's status when editors use several surfaces) and
    adds ``entries_per_write`` entries; a refused one answers ``conflict`` with every string of
    ``conflict_says`` in its body and adds none.
    """

    submit: Callable[[int], Any]
    accepted: int | Callable[[int], int]
    read_back: Callable[[], tuple[int, Any]]
    change_of: Callable[[int], Any]
    entries: Callable[[], Sequence[Any]]
    start_version: int
    conflict: int = 409
    conflict_says: Sequence[str] = ()
    entries_per_write: int = 1

    def accepts(self, index: int, response: Any) -> bool:
        expected = self.accepted(index) if callable(self.accepted) else self.accepted
        return status_of(response) == expected


@dataclass
class Race:
    winner: int
    seconds: float
    statuses: Counter[int] = field(default_factory=Counter)


def edit_race(target: EditTarget, editors: int = CLIENTS) -> Race:
    """Run the race and check everything that must hold after it; return who won, how fast."""
    before = len(target.entries())
    started = time.perf_counter()
    attempts = collide([lambda i=i: target.submit(i) for i in range(editors)])
    seconds = time.perf_counter() - started
    responses = [attempt.unwrap() for attempt in attempts]
    statuses = Counter(status_of(r) for r in responses)
    winners = [i for i, r in enumerate(responses) if target.accepts(i, r)]
    assert len(winners) == 1, f"one editor wins, not {len(winners)}: {dict(statuses)}"
    losers = [r for i, r in enumerate(responses) if i not in winners]
    odd = {status_of(r) for r in losers} - {target.conflict}
    assert not odd, f"every other editor gets {target.conflict}: {dict(statuses)}"
    for response in losers:
        body = text_of(response)
        for phrase in target.conflict_says:
            assert phrase in body, f"the conflict says {phrase!r}: {body[:2000]}"
    winner = winners[0]
    version, value = target.read_back()
    assert version == target.start_version + 1
    assert value == target.change_of(winner)
    after = target.entries()
    assert len(after) - before == target.entries_per_write, after[before:]
    assert_chain_verifies()
    return Race(winner, seconds, statuses)


__all__ = [
    "CLIENTS",
    "Attempt",
    "EditTarget",
    "Race",
    "assert_chain_verifies",
    "audit_entries",
    "collide",
    "edit_race",
    "requires_postgresql",
    "signed_in",
]
