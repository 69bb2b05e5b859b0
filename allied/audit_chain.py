"""The audit log's hash chain: canonical serialisation, sealing and verification (no Django).

Every audit entry is sealed to the one before it::

    hash = H(prev_hash || canonical(entry))

where ``prev_hash`` is the previous entry's ``hash`` as 64 lower-case hex digits (ASCII), the first
entry's ``prev_hash`` is :data:`GENESIS`, and ``canonical(entry)`` is the entry's content *and its
sequence number* as sorted-key JSON in UTF-8 (see :func:`canonical`). Hashing the sequence number
binds each entry to its place, so moving or renumbering an entry changes its hash.

``H`` depends on the key:

* **With a key** (the ``ALLIED_AUDIT_KEY`` setting) ``H`` is HMAC-SHA-256 under that key. Someone
  who can write to the database but does not hold the key cannot compute a valid hash, so they
  cannot rewrite, insert or append entries without :func:`verify` noticing. Only removing entries
  from the very end of the log needs more: an *anchor*, the last sequence number and hash written
  down somewhere the database's users cannot reach (``allied audit head``).
* **Without a key** ``H`` is plain SHA-256: a hash chain that catches accidental damage and careless
  tampering, but anyone with write access can recompute every hash after a change and the chain
  verifies again. Only an anchor taken before the change gives that away. Production should set a
  key; one key serves the whole log (entries sealed without a key do not verify with one).

:func:`verify` walks entries in the order given, which must be sequence order, with bounded memory
(the state it keeps grows with the number of problems found, not with the length of the log) and
reports each problem with the sequence numbers it concerns; see :class:`FindingKind`.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TypeAlias

#: The ``prev_hash`` of the first entry of every log.
GENESIS = "0" * 64

#: How many recent hashes :class:`Verifier` remembers to recognise an entry sealed elsewhere.
WINDOW = 4096
#: How many unexplained entries it holds, waiting to learn whether they were moved, not changed.
PENDING_LIMIT = 4096

Json: TypeAlias = "bool | int | str | list[Json] | dict[str, Json] | None"

#: The exact types ``plain`` returns unchanged: a list of only these is copied without a call per
#: item (a read entry may list 27,000 ids).
_ATOMS = frozenset({str, int, bool, type(None)})


# --- canonical form ------------------------------------------------------------------------------


def timestamp(value: datetime) -> str:
    """An aware datetime as ISO 8601 in UTC with microseconds: ``2026-11-27T15:28:00.000000Z``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def plain(value: object) -> Json:
    """``value`` as plain JSON data; floats and anything without one exact JSON form are refused.

    A float has no single canonical text (and the database may not give back the same one), so
    numbers must be integers; send a decimal as a string. Datetimes become :func:`timestamp`
    strings and tuples become lists; mapping keys must be strings.
    """
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        raise TypeError("floats are not allowed in an audit entry: use an integer or a string")
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, Mapping):
        out: dict[str, Json] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"audit entry keys must be strings, not {type(key).__name__}")
            out[key] = plain(item)
        return out
    if isinstance(value, list | tuple):
        if set(map(type, value)) <= _ATOMS:
            return list(value)
        return [plain(item) for item in value]
    raise TypeError(f"{type(value).__name__} is not allowed in an audit entry")


def canonical(sequence: int, content: Mapping[str, object]) -> bytes:
    """The bytes that are hashed for one entry: its content and sequence number as canonical JSON.

    Sorted keys, no whitespace, UTF-8 (not ``\\u`` escapes), integers only, timestamps as
    :func:`timestamp` strings. ``content`` must not have a ``sequence`` key of its own.
    """
    if "sequence" in content:
        raise ValueError("the sequence number is given separately, not in the content")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
        raise ValueError("a sequence number is a whole number from 1")
    document = plain(content)
    assert isinstance(document, dict)
    document["sequence"] = sequence
    text = json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return text.encode("utf-8")


def entry_hash(
    prev_hash: str, sequence: int, content: Mapping[str, object], key: bytes | None = None
) -> str:
    """``H(prev_hash || canonical(entry))`` as hex: HMAC-SHA-256 with a key, SHA-256 without."""
    message = prev_hash.encode("ascii") + canonical(sequence, content)
    if key:
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    return hashlib.sha256(message).hexdigest()


# --- entries -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainEntry:
    """One sealed entry as the chain sees it: its place, its content and its two hashes."""

    sequence: int
    content: Mapping[str, object]
    prev_hash: str
    hash: str


def seal(
    sequence: int,
    content: Mapping[str, object],
    prev_hash: str,
    key: bytes | None = None,
) -> ChainEntry:
    """A new entry at ``sequence`` that follows the entry whose hash is ``prev_hash``."""
    return ChainEntry(sequence, content, prev_hash, entry_hash(prev_hash, sequence, content, key))


def extend(
    contents: Iterable[Mapping[str, object]],
    *,
    after: tuple[int, str] | None = None,
    key: bytes | None = None,
) -> list[ChainEntry]:
    """Seal ``contents`` as consecutive entries after ``after`` (its sequence and hash).

    With ``after=None`` the entries start a new log at sequence 1 after :data:`GENESIS`.
    """
    sequence, prev_hash = after if after is not None else (0, GENESIS)
    entries = []
    for content in contents:
        sequence += 1
        entry = seal(sequence, content, prev_hash, key)
        entries.append(entry)
        prev_hash = entry.hash
    return entries


# --- findings ------------------------------------------------------------------------------------


class FindingKind(enum.StrEnum):
    #: The stored hash does not match the content: the entry was edited (or forged without the
    #: key). Also said of an entry whose link or sequence number was edited.
    CHANGED = "changed"
    #: Sequence numbers are missing: entries were deleted (or cut from the end, against an anchor).
    REMOVED = "removed"
    #: An entry is out of place: its sequence number is out of order in the walk, or it is intact
    #: but sealed for another place (its hash verifies only at the sequence number it links to).
    REORDERED = "reordered"
    #: A sequence number appears twice, or entries sit between two that link to each other.
    INSERTED = "inserted"
    #: An intact entry does not link to the entry before it and nothing else explains it: entries
    #: were removed and the rest renumbered, or the previous entry was rewritten and re-sealed.
    UNLINKED = "unlinked"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, with the sequence numbers ``first``..``last`` it concerns.

    ``moved_from`` is, for a REORDERED entry sealed for another place, the sequence number it was
    sealed at (for ``first``); ``after`` is, for an entry out of order in the walk, the sequence
    number it came after.
    """

    kind: FindingKind
    first: int
    last: int
    moved_from: int | None = None
    after: int | None = None
    note: str = ""

    @property
    def sequence(self) -> int:
        """The first sequence number concerned, to locate the finding."""
        return self.first

    def covers(self, sequence: int) -> bool:
        return self.first <= sequence <= self.last

    def __str__(self) -> str:
        one = self.first == self.last
        span = f"entry {self.first}" if one else f"entries {self.first}-{self.last}"
        if self.kind is FindingKind.CHANGED:
            text = f"{span} {'was' if one else 'were'} changed"
        elif self.kind is FindingKind.REMOVED:
            text = f"{span} {'is' if one else 'are'} missing"
        elif self.kind is FindingKind.REORDERED and self.moved_from is not None:
            if one:
                text = f"{span} is out of place: it is entry {self.moved_from} moved here"
            else:
                last_from = self.moved_from + self.last - self.first
                text = (
                    f"{span} are out of place: they are entries "
                    f"{self.moved_from}-{last_from} moved here"
                )
        elif self.kind is FindingKind.REORDERED:
            verb = "is" if one else "are"
            text = f"{span} {verb} out of order: {'it comes' if one else 'they come'}"
            text += f" after entry {self.after}"
        elif self.kind is FindingKind.INSERTED:
            text = f"{span} {'was' if one else 'were'} inserted"
        else:
            text = f"entry {self.last} does not link to entry {self.first}"
        return f"{text} ({self.note})" if self.note else text

    def as_dict(self) -> dict[str, Json]:
        return {
            "kind": self.kind.value,
            "first": self.first,
            "last": self.last,
            "moved_from": self.moved_from,
            "after": self.after,
            "message": str(self),
        }


def _merge(previous: Finding, finding: Finding) -> Finding | None:
    """``previous`` extended by ``finding`` when they describe one run of entries, else None."""
    if previous.kind is not finding.kind or finding.first != previous.last + 1:
        return None
    if finding.note != previous.note or finding.kind is FindingKind.UNLINKED:
        return None
    if finding.kind is FindingKind.REORDERED:
        if (previous.moved_from is None) != (finding.moved_from is None):
            return None
        if previous.moved_from is not None and finding.moved_from is not None:
            if finding.moved_from - finding.first != previous.moved_from - previous.first:
                return None
        elif previous.after != finding.after:
            return None
    return replace(previous, last=finding.last)


def merge_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in sequence order, with consecutive findings of one run merged into a range."""
    ordered = sorted(findings, key=lambda f: (f.first, f.last, list(FindingKind).index(f.kind)))
    merged: list[Finding] = []
    for finding in ordered:
        if merged and finding == merged[-1]:
            continue
        joined = _merge(merged[-1], finding) if merged else None
        if joined is not None:
            merged[-1] = joined
        else:
            merged.append(finding)
    return merged


# --- verification --------------------------------------------------------------------------------


class Verifier:
    """Walks a log one entry at a time (:meth:`feed`), then says what is wrong (:meth:`finish`).

    Memory stays flat for an intact log of any length: the verifier keeps the last
    :data:`WINDOW` hashes, the ranges of missing sequence numbers and the findings so far.
    """

    def __init__(
        self,
        key: bytes | None = None,
        *,
        anchor: tuple[int, str] | None = None,
    ) -> None:
        self.key = key
        self.anchor = anchor
        self.count = 0
        self.last_hash = GENESIS
        self._anchor_seen: str | None = None
        self._findings: list[Finding] = []
        # The highest sequence number so far, and the hashes an entry following it may link to.
        self._high = 0
        self._high_hashes: set[str] = {GENESIS}
        self._high_flagged = False
        self._last_sequence = 0
        # Missing sequence numbers as [first, last] ranges, in increasing order.
        self._holes: list[list[int]] = []
        # Recent hashes (stored and recomputed) -> the sequence number their entry was sealed at.
        self._window: OrderedDict[str, int] = OrderedDict({GENESIS: 0})
        # Entries whose hash did not verify and whose prev_hash is not known yet, by prev_hash.
        self._pending: dict[str, list[ChainEntry]] = {}
        self._pending_count = 0

    # The findings list stays small for runs of damage: a finding that continues the last one is
    # merged into it at once.
    def _report(self, finding: Finding) -> None:
        if self._findings:
            joined = _merge(self._findings[-1], finding)
            if joined is not None:
                self._findings[-1] = joined
                return
        self._findings.append(finding)

    def _remember(self, digest: str, sealed_at: int) -> None:
        self._window[digest] = sealed_at
        self._window.move_to_end(digest)
        if len(self._window) > WINDOW:
            self._window.popitem(last=False)

    def _sealed_for(self, entry: ChainEntry, sequence: int) -> bool:
        try:
            digest = entry_hash(entry.prev_hash, sequence, entry.content, self.key)
        except (TypeError, ValueError):
            return False
        return hmac.compare_digest(digest, entry.hash)

    def _fill_hole(self, sequence: int) -> bool:
        for index, (first, last) in enumerate(self._holes):
            if first <= sequence <= last:
                pieces = [[first, sequence - 1], [sequence + 1, last]]
                self._holes[index : index + 1] = [p for p in pieces if p[0] <= p[1]]
                return True
        return False

    def feed(self, entry: ChainEntry) -> None:
        """Check one entry against the ones before it."""
        self.count += 1
        sequence = entry.sequence
        try:
            computed: str | None = entry_hash(entry.prev_hash, sequence, entry.content, self.key)
        except (TypeError, ValueError, UnicodeError):
            computed = None  # content that has no canonical form cannot be genuine
        intact = computed is not None and hmac.compare_digest(computed, entry.hash)
        in_order, gap = self._place(sequence)
        if not intact:
            sealed_at = self._unsealed(entry)
        else:
            sealed_at = sequence
            linked_ok = self._high_flagged or entry.prev_hash in self._high_hashes
            if in_order and not gap and not linked_ok:
                self._report_broken_link(entry)
        self._advance(entry, computed, in_order, flagged=not intact)
        self._remember(entry.hash, sealed_at)
        if computed is not None and computed != entry.hash:
            self._remember(computed, sealed_at)
        self._resolve_pending(entry.hash, sealed_at)
        if self.anchor is not None and sequence == self.anchor[0]:
            self._anchor_seen = entry.hash
        self._last_sequence = sequence
        if in_order:
            self.last_hash = entry.hash

    def _place(self, sequence: int) -> tuple[bool, bool]:
        """Where ``sequence`` falls in the walk: (next or after a gap, after a gap); a repeat or
        a late entry is reported here."""
        if sequence > self._high:
            if sequence > self._high + 1:
                self._holes.append([self._high + 1, sequence - 1])
                return True, True
            return True, False
        if sequence != self._high and self._fill_hole(sequence):
            after = self._last_sequence
            self._report(Finding(FindingKind.REORDERED, sequence, sequence, after=after))
        else:
            self._report(
                Finding(
                    FindingKind.INSERTED,
                    sequence,
                    sequence,
                    note="its sequence number appears twice",
                )
            )
        return False, False

    def _unsealed(self, entry: ChainEntry) -> int:
        """Judge an entry whose hash did not verify: moved, waiting for what it links to, or
        changed. The sequence number it was sealed at."""
        sequence = entry.sequence
        linked = self._window.get(entry.prev_hash)
        if linked is not None and linked + 1 != sequence and self._sealed_for(entry, linked + 1):
            self._report(Finding(FindingKind.REORDERED, sequence, sequence, moved_from=linked + 1))
            return linked + 1
        if linked is None and self._pending_count < PENDING_LIMIT:
            # It may link to an entry further on: wait and see before calling it changed.
            self._pending.setdefault(entry.prev_hash, []).append(entry)
            self._pending_count += 1
        else:
            self._report(Finding(FindingKind.CHANGED, sequence, sequence))
        return sequence

    def _advance(
        self, entry: ChainEntry, computed: str | None, in_order: bool, *, flagged: bool
    ) -> None:
        """Move the highest sequence number on, and the hashes an entry after it may link to."""
        sequence = entry.sequence
        if in_order:
            self._high = sequence
            self._high_hashes = {entry.hash}
            self._high_flagged = flagged
        elif sequence == self._high:
            self._high_flagged = self._high_flagged or flagged
        if sequence == self._high:
            self._high_hashes.add(entry.hash)
            if computed is not None:
                self._high_hashes.add(computed)

    def _report_broken_link(self, entry: ChainEntry) -> None:
        sequence = entry.sequence
        linked = self._window.get(entry.prev_hash)
        if linked is not None and linked < self._high:
            # It links back past the entries after ``linked``: those were put in between.
            self._report(Finding(FindingKind.INSERTED, linked + 1, self._high))
        else:
            self._report(Finding(FindingKind.UNLINKED, self._high, sequence))

    def _resolve_pending(self, digest: str, sealed_at: int) -> None:
        waiting = self._pending.pop(digest, None)
        if not waiting:
            return
        self._pending_count -= len(waiting)
        for entry in waiting:
            if self._sealed_for(entry, sealed_at + 1) and entry.sequence != sealed_at + 1:
                self._report(
                    Finding(
                        FindingKind.REORDERED,
                        entry.sequence,
                        entry.sequence,
                        moved_from=sealed_at + 1,
                    )
                )
            else:
                self._report(Finding(FindingKind.CHANGED, entry.sequence, entry.sequence))

    def finish(self) -> list[Finding]:
        """Every finding, in sequence order; an empty list means the chain is intact."""
        for waiting in self._pending.values():
            for entry in waiting:
                self._report(Finding(FindingKind.CHANGED, entry.sequence, entry.sequence))
        self._pending.clear()
        self._pending_count = 0
        for first, last in self._holes:
            self._report(Finding(FindingKind.REMOVED, first, last))
        if self.anchor is not None:
            anchored, anchored_hash = self.anchor
            if anchored > self._high:
                self._report(
                    Finding(FindingKind.REMOVED, self._high + 1, anchored, note="cut from the end")
                )
            elif self._anchor_seen is not None and not hmac.compare_digest(
                self._anchor_seen, anchored_hash
            ):
                self._report(
                    Finding(FindingKind.CHANGED, anchored, anchored, note="differs from the anchor")
                )
        return merge_findings(self._findings)


def verify(
    entries: Iterable[ChainEntry],
    *,
    key: bytes | None = None,
    anchor: tuple[int, str] | None = None,
) -> list[Finding]:
    """Every problem in ``entries`` (given in sequence order), located by sequence number.

    ``anchor`` is a ``(sequence, hash)`` pair recorded earlier outside the database: the log must
    still reach that sequence number, with that hash there. Without an anchor, entries cut from
    the end of the log cannot be told from a log that ends earlier, and without a key, a log
    rewritten and re-sealed from some entry on verifies as intact.
    """
    verifier = Verifier(key, anchor=anchor)
    for entry in entries:
        verifier.feed(entry)
    return verifier.finish()
