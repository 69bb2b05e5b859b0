"""Sources come in the order they declare (``Source.rank``), not the order apps register them.

Requests with the same score and day are ordered by their source's place in the queue; that
order must not change when an app's ``ready()`` runs earlier or later than another's.
"""

from __future__ import annotations

import dataclasses

import pytest

from allied.core import queue


@pytest.fixture
def no_sources(monkeypatch: pytest.MonkeyPatch) -> dict[str, queue.Source]:
    sources: dict[str, queue.Source] = {}
    monkeypatch.setattr(queue, "SOURCES", sources)
    return sources


def source(name: str, rank: int) -> queue.Source:
    return queue.Source(name, lambda who, on: None, lambda who, on, pks: {}, rank=rank)


def test_sources_are_kept_in_rank_order_whatever_order_they_register_in(no_sources) -> None:
    registered = [
        ("intel.disclosure", 30), ("working_group.freeform", 40), ("arms.cases", 10),
        ("planning.requests", 20), ("arms.licences", 11),
    ]  # fmt: skip
    for name, rank in registered:
        queue.register_source(source(name, rank))
    assert list(no_sources) == [
        "arms.cases", "arms.licences", "planning.requests", "intel.disclosure",
        "working_group.freeform",
    ]  # fmt: skip


def test_a_replaced_source_takes_its_new_rank_and_equal_ranks_keep_their_turn(no_sources) -> None:
    for name in ("a", "b", "c"):
        queue.register_source(source(name, 0))
    queue.register_source(dataclasses.replace(no_sources["a"], rank=5))
    assert list(no_sources) == ["b", "c", "a"]


def test_the_installed_sources_keep_the_order_the_queue_has_always_had() -> None:
    assert list(queue.SOURCES) == [
        "arms.cases", "arms.licences", "planning.requests", "intel.disclosure",
        "working_group.freeform",
    ]  # fmt: skip
