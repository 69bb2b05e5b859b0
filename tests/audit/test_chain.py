"""The audit hash chain on its own: canonical form, sealing, and what verify finds and where."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allied.audit_chain import (
    GENESIS,
    ChainEntry,
    FindingKind,
    canonical,
    entry_hash,
    extend,
    plain,
    seal,
    timestamp,
    verify,
)

KEY = b"test-audit-key"
START = datetime(2026, 11, 27, 15, 28, tzinfo=UTC)


def content(n: int, **extra: object) -> dict[str, object]:
    return {
        "at": START + timedelta(seconds=n),
        "actor_name": "us.analyst",
        "action": "read",
        "object_type": "intel.product",
        "object_id": str(n),
        "marking": "SECRET//REL TO USA, JPN",
        "detail": {"n": n},
        **extra,
    }


def log(length: int, key: bytes | None = KEY) -> list[ChainEntry]:
    return extend((content(n) for n in range(1, length + 1)), key=key)


def kinds(findings: list) -> list[tuple[FindingKind, int, int]]:
    return [(f.kind, f.first, f.last) for f in findings]


# --- canonical form ------------------------------------------------------------------------------


def test_canonical_form_is_sorted_compact_utf8_json_with_the_sequence_number() -> None:
    data = canonical(7, {"b": "日本", "a": {"y": 1, "x": [True, None]}})
    assert data == '{"a":{"x":[true,null],"y":1},"b":"日本","sequence":7}'.encode()


def test_canonical_form_does_not_depend_on_key_order() -> None:
    assert canonical(1, {"a": 1, "b": 2}) == canonical(1, {"b": 2, "a": 1})


def test_timestamps_are_iso_8601_utc_with_microseconds() -> None:
    tokyo = timezone(timedelta(hours=9))
    assert timestamp(datetime(2026, 11, 28, 0, 28, tzinfo=tokyo)) == "2026-11-27T15:28:00.000000Z"
    assert json.loads(canonical(1, {"at": START}))["at"] == "2026-11-27T15:28:00.000000Z"


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        canonical(1, {"at": datetime(2026, 11, 27)})


@pytest.mark.parametrize(
    "value", [1.5, {"x": 0.1}, [2.0], ["1", "2", 3.0], ("1", None, 4.5), float("nan")]
)
def test_floats_are_refused_anywhere_in_an_entry(value: object) -> None:
    with pytest.raises(TypeError, match="float"):
        canonical(1, {"detail": value})


def test_a_long_list_of_ids_is_copied_as_it_is() -> None:
    """A read entry's id list skips the per-item walk but comes back equal, as a new list."""
    ids = [str(i) for i in range(5000)] + [7, True, None]
    out = plain({"objects_by_marking": {"SECRET": ids}, "pair": ("a", 1)})
    assert out == {"objects_by_marking": {"SECRET": ids}, "pair": ["a", 1]}
    assert isinstance(out, dict) and out["objects_by_marking"]["SECRET"] is not ids


def test_keys_must_be_strings_and_the_sequence_number_is_not_content() -> None:
    with pytest.raises(TypeError):
        canonical(1, {"detail": {1: "one"}})
    with pytest.raises(ValueError):
        canonical(1, {"sequence": 2})


def test_the_hash_covers_the_previous_hash_the_sequence_number_and_the_content() -> None:
    base = entry_hash(GENESIS, 1, content(1))
    assert entry_hash("1" * 64, 1, content(1)) != base
    assert entry_hash(GENESIS, 2, content(1)) != base
    assert entry_hash(GENESIS, 1, content(1, action="write")) != base


def test_a_key_turns_the_hash_into_an_hmac_that_needs_the_key() -> None:
    plain_hash = entry_hash(GENESIS, 1, content(1))
    keyed = entry_hash(GENESIS, 1, content(1), KEY)
    assert keyed != plain_hash
    assert keyed != entry_hash(GENESIS, 1, content(1), b"another key")


# --- the chain -----------------------------------------------------------------------------------


def test_a_new_log_starts_at_one_after_genesis_and_each_entry_links_to_the_one_before() -> None:
    entries = log(3)
    assert [e.sequence for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash


def test_an_intact_log_has_no_findings_with_or_without_a_key() -> None:
    assert verify(log(20), key=KEY) == []
    assert verify(log(20, key=None)) == []
    assert verify([]) == []


def test_a_keyed_log_does_not_verify_without_its_key() -> None:
    findings = verify(log(3), key=None)
    assert kinds(findings) == [(FindingKind.CHANGED, 1, 3)]


def test_it_says_which_entry_was_changed() -> None:
    entries = log(10)
    entries[4] = replace(entries[4], content=content(5, action="delete"))
    findings = verify(entries, key=KEY)
    assert kinds(findings) == [(FindingKind.CHANGED, 5, 5)]
    assert str(findings[0]) == "entry 5 was changed"


def test_it_says_which_entries_are_missing() -> None:
    entries = log(10)
    del entries[3:6]
    findings = verify(entries, key=KEY)
    assert kinds(findings) == [(FindingKind.REMOVED, 4, 6)]
    assert str(findings[0]) == "entries 4-6 are missing"


def test_it_notices_the_first_entry_missing() -> None:
    assert kinds(verify(log(5)[1:], key=KEY)) == [(FindingKind.REMOVED, 1, 1)]


def test_entries_cut_from_the_end_are_found_only_against_an_anchor() -> None:
    entries = log(10)
    anchor = (10, entries[-1].hash)
    assert verify(entries[:7], key=KEY) == []
    findings = verify(entries[:7], key=KEY, anchor=anchor)
    assert kinds(findings) == [(FindingKind.REMOVED, 8, 10)]


def test_an_anchor_catches_a_log_rewritten_without_a_key() -> None:
    entries = log(5, key=None)
    anchor = (5, entries[-1].hash)
    forged = extend([content(1, action="delete"), *(content(n) for n in range(2, 6))])
    assert verify(forged) == []
    assert kinds(verify(forged, anchor=anchor)) == [(FindingKind.CHANGED, 5, 5)]


def test_it_says_which_entry_is_out_of_order() -> None:
    entries = log(6)
    entries[2], entries[3] = entries[3], entries[2]
    findings = verify(entries, key=KEY)
    assert kinds(findings) == [(FindingKind.REORDERED, 3, 3)]
    assert str(findings[0]) == "entry 3 is out of order: it comes after entry 4"


def test_it_says_which_entries_were_moved_when_sequence_numbers_are_swapped() -> None:
    entries = log(8)
    swapped = [
        replace(entries[6], sequence=3),
        replace(entries[2], sequence=7),
    ]
    walked = sorted([*entries[:2], *entries[3:6], *swapped, entries[7]], key=lambda e: e.sequence)
    findings = verify(walked, key=KEY)
    assert kinds(findings) == [(FindingKind.REORDERED, 3, 3), (FindingKind.REORDERED, 7, 7)]
    assert [str(f) for f in findings] == [
        "entry 3 is out of place: it is entry 7 moved here",
        "entry 7 is out of place: it is entry 3 moved here",
    ]


def test_it_says_where_an_entry_was_inserted() -> None:
    entries = log(6)
    forged = seal(4, content(99, action="delete"), entries[2].hash, key=b"not the key")
    findings = verify([*entries[:3], forged, *entries[3:]], key=KEY)
    assert (FindingKind.INSERTED, 4, 4) in kinds(findings)
    assert all(f.covers(4) for f in findings)


def test_an_entry_inserted_and_resealed_without_a_key_is_still_found_by_its_number() -> None:
    entries = log(6, key=None)
    forged = seal(4, content(99, action="delete"), entries[2].hash)
    assert kinds(verify([*entries[:4], forged, *entries[4:]])) == [(FindingKind.INSERTED, 4, 4)]


def test_a_renumbered_run_is_reported_once_not_entry_by_entry() -> None:
    entries = log(50)
    renumbered = [replace(e, sequence=e.sequence + 1) for e in entries[10:]]
    forged = seal(11, content(99), entries[9].hash)  # forged without the key
    findings = verify([*entries[:10], forged, *renumbered], key=KEY)
    assert kinds(findings) == [(FindingKind.CHANGED, 11, 11), (FindingKind.REORDERED, 12, 51)]
    assert str(findings[1]) == "entries 12-51 are out of place: they are entries 11-50 moved here"


def test_a_rewritten_and_resealed_entry_breaks_the_next_link_without_a_key() -> None:
    entries = log(6, key=None)
    entries[2] = seal(3, content(3, action="delete"), entries[1].hash)
    findings = verify(entries)
    assert kinds(findings) == [(FindingKind.UNLINKED, 3, 4)]
    assert str(findings[0]) == "entry 4 does not link to entry 3"


def test_content_that_has_no_canonical_form_counts_as_changed() -> None:
    entries = log(3)
    entries[1] = replace(entries[1], content={**entries[1].content, "detail": {"x": 0.5}})
    assert kinds(verify(entries, key=KEY)) == [(FindingKind.CHANGED, 2, 2)]


# --- property: any single tampering is detected and located -------------------------------------

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORGER_KEY = b"what an attacker without the key uses"


@st.composite
def tampered_logs(draw: st.DrawFn, key: bytes | None) -> tuple[list[ChainEntry], set[int], bool]:
    """A valid log with one tampering applied, the sequence numbers that locate it, and whether
    only an anchor can reveal it (the last entry removed)."""
    length = draw(st.integers(min_value=2, max_value=30))
    entries = extend((content(n) for n in range(1, length + 1)), key=key)
    operations = ["change", "relink", "rehash", "remove", "swap", "swap numbers"]
    if key is not None:
        operations += ["insert", "insert renumbered"]
    operation = draw(st.sampled_from(operations))
    i = draw(st.integers(min_value=0, max_value=length - 1))
    seq = entries[i].sequence
    if operation == "change":
        field = draw(st.sampled_from(["at", "actor_name", "action", "object_id", "detail"]))
        value = draw(st.text(min_size=1, max_size=5))
        if entries[i].content[field] == value:
            value += "!"
        entries[i] = replace(entries[i], content={**entries[i].content, field: value})
        return entries, {seq}, False
    if operation in {"relink", "rehash"}:
        digest = draw(st.text("0123456789abcdef", min_size=64, max_size=64))
        field = "prev_hash" if operation == "relink" else "hash"
        if getattr(entries[i], field) == digest:
            digest = digest[:-1] + ("1" if digest[-1] == "0" else "0")
        entries[i] = replace(entries[i], **{field: digest})
        return entries, {seq}, False
    if operation == "remove":
        del entries[i]
        return entries, {seq}, i == length - 1
    if operation in {"swap", "swap numbers"}:
        j = draw(st.integers(min_value=0, max_value=length - 1).filter(lambda j: j != i))
        if operation == "swap":
            entries[i], entries[j] = entries[j], entries[i]
        else:
            a, b = entries[i], entries[j]
            entries[i], entries[j] = (
                replace(b, sequence=a.sequence),
                replace(a, sequence=b.sequence),
            )
        return entries, {seq, j + 1}, False
    # An insertion by someone who can write rows but does not hold the key: the forged entry
    # takes the number of the entry at index ``at`` (or the next number after the last one).
    at = draw(st.integers(min_value=0, max_value=length))
    prev_hash = entries[at - 1].hash if at else GENESIS
    forged = seal(at + 1, content(1000 + at, action="delete"), prev_hash, FORGER_KEY)
    if operation == "insert":
        entries.insert(at + draw(st.integers(0, 1)) if at < length else length, forged)
    else:
        later = [replace(e, sequence=e.sequence + 1) for e in entries[at:]]
        entries = [*entries[:at], forged, *later]
    return entries, {at + 1}, False


def assert_found_and_located(
    case: tuple[list[ChainEntry], set[int], bool], key: bytes | None
) -> None:
    entries, where, needs_anchor = case
    original = extend((content(n) for n in range(1, 31)), key=key)
    last = max(where | {e.sequence for e in entries if e.sequence <= len(original)})
    anchor = (last, original[last - 1].hash) if needs_anchor else None
    findings = verify(entries, key=key, anchor=anchor)
    assert findings, "the tampering was not detected"
    assert any(f.covers(s) for f in findings for s in where), (where, [str(f) for f in findings])


@SETTINGS
@given(tampered_logs(key=KEY))
def test_any_single_tampering_of_a_keyed_log_is_detected_and_located(case) -> None:
    assert_found_and_located(case, KEY)


@SETTINGS
@given(tampered_logs(key=None))
def test_any_single_edit_removal_or_swap_of_an_unkeyed_log_is_detected_and_located(case) -> None:
    assert_found_and_located(case, None)
