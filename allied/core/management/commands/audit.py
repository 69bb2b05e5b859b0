"""``allied audit``: verify the audit log's hash chain, show its latest entries, or its head.

* ``allied audit verify [--json] [--anchor SEQUENCE:HASH]`` walks the whole log in batches (memory
  stays flat however long it is). Exit 0 and ``audit chain intact: N entries``, or exit 1 and every
  finding (``entry 1234 was changed``, ``entries 1235-1240 are missing``, ...).
  Entries committed but not yet sealed are not findings: verify lists how many there are and how
  old the oldest is, on a line of their own (and under ``"unsealed"`` in the JSON).
* ``allied audit tail [-n 20]`` prints the latest entries, oldest first.
* ``allied audit head`` prints ``SEQUENCE:HASH`` of the last sealed entry: keep it somewhere the
  database's users cannot write, and give it back to ``verify --anchor`` later to catch entries
  cut from the end of the log (or, without a key, a log rewritten and re-sealed). ``--seal``
  seals what is committed first, so the head covers it.
* ``allied audit seal`` seals every committed entry and stops; ``allied audit seal --follow`` is
  the production sealer, one process beside the application servers (see
  :mod:`allied.core.audit_sealer`).
* ``allied audit status`` shows the unsealed entries, the age of the oldest, the last sealed
  sequence number and the sealing lag of recent entries.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allied.audit_chain import Verifier, timestamp
from allied.core import audit_sealer
from allied.core.audit import audit_key, walk
from allied.core.models.audit import AuditEntry

ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


def _anchor(text: str | None) -> tuple[int, str] | None:
    if text is None:
        return None
    match = ANCHOR.match(text.strip())
    if match is None:
        raise CommandError("--anchor must be SEQUENCE:HASH, as `allied audit head` prints it")
    return int(match[1]), match[2]


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain (verify), show its latest entries (tail) or head, "
        "seal committed entries (seal [--follow]) or show what waits to be sealed (status)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        verify = commands.add_parser("verify", help="Check every entry and every link.")
        verify.add_argument("--json", action="store_true", help="Print the result as JSON.")
        verify.add_argument(
            "--anchor",
            metavar="SEQUENCE:HASH",
            help="A head recorded earlier (allied audit head): the log must still reach it.",
        )
        verify.add_argument("--batch-size", type=int, default=5000, help="Rows per query (5000).")
        tail = commands.add_parser("tail", help="Print the latest entries.")
        tail.add_argument("-n", type=int, default=20, dest="count", help="How many (20).")
        head = commands.add_parser("head", help="Print SEQUENCE:HASH of the last sealed entry.")
        head.add_argument("--seal", action="store_true", help="Seal what is committed first.")
        seal = commands.add_parser("seal", help="Seal committed entries into the chain.")
        seal.add_argument(
            "--follow",
            action="store_true",
            help="Keep sealing until stopped: the production sealer process.",
        )
        seal.add_argument(
            "--interval",
            type=float,
            default=audit_sealer.INTERVAL,
            help=f"Seconds between looks at an empty queue ({audit_sealer.INTERVAL}).",
        )
        seal.add_argument(
            "--batch-size",
            type=int,
            default=audit_sealer.BATCH_SIZE,
            help=f"Entries per transaction ({audit_sealer.BATCH_SIZE}).",
        )
        status = commands.add_parser("status", help="Show what is waiting to be sealed.")
        status.add_argument("--json", action="store_true", help="Print the status as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "verify":
            self.verify(_anchor(options["anchor"]), options["batch_size"], options["json"])
        elif subcommand == "tail":
            self.tail(options["count"])
        elif subcommand == "seal":
            self.seal(
                options["follow"], options["interval"], options["batch_size"], options["verbosity"]
            )
        elif subcommand == "status":
            self.status(options["json"])
        else:
            self.head(options["seal"])

    def verify(self, anchor: tuple[int, str] | None, batch_size: int, as_json: bool) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        key = audit_key()
        verifier = Verifier(key, anchor=anchor)
        for entry in walk(batch_size):
            verifier.feed(entry)
        findings = verifier.finish()
        waiting = audit_sealer.queue(recent=0)
        unsealed = {"count": waiting.unsealed, "oldest_age_seconds": _seconds(waiting.oldest_age)}
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "intact": not findings,
                        "entries": verifier.count,
                        "keyed": key is not None,
                        "anchored": anchor is not None,
                        "findings": [finding.as_dict() for finding in findings],
                        "unsealed": unsealed,
                    },
                    indent=2,
                )
            )
        elif not findings:
            self.stdout.write(f"audit chain intact: {verifier.count} entries")
        else:
            for finding in findings:
                self.stdout.write(str(finding))
        if waiting.unsealed and not as_json:
            self.stdout.write(_unsealed_line(waiting))
        if findings:
            problems = "problem" if len(findings) == 1 else "problems"
            raise CommandError(
                f"audit chain broken: {len(findings)} {problems} in {verifier.count} entries"
            )

    def tail(self, count: int) -> None:
        if count < 1:
            raise CommandError("-n must be at least 1")
        latest = list(AuditEntry.objects.order_by("-id")[:count])
        for entry in reversed(latest):
            who = entry.actor_name or "-"
            if entry.nation:
                who += f" ({entry.nation})"
            place = "unsealed" if entry.sequence is None else str(entry.sequence)
            line = f"{place:>8}  {timestamp(entry.at)}  {who}  {entry.action}"
            if entry.object_id:
                line += f"  {entry.object_type}:{entry.object_id}"
            elif isinstance(entry.detail, dict) and "count" in entry.detail:
                # One entry for a page of objects, listed in its detail.
                line += f"  {entry.detail['count']} x {entry.object_type or 'objects'}"
            elif entry.object_type:
                line += f"  {entry.object_type}"
            if entry.marking:
                line += f"  {entry.marking}"
            if entry.detail:
                line += "  " + json.dumps(entry.detail, sort_keys=True, ensure_ascii=False)
            self.stdout.write(line)

    def head(self, seal_first: bool) -> None:
        if seal_first:
            audit_sealer.seal()
        last = audit_sealer.head()
        if last is None:
            raise CommandError("no audit entry is sealed yet")
        self.stdout.write(f"{last[0]}:{last[1]}")
        waiting = audit_sealer.queue(recent=0)
        if waiting.unsealed:
            self.stderr.write(_unsealed_line(waiting) + ": not covered by this head")

    def seal(self, follow: bool, interval: float, batch_size: int, verbosity: int) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if interval <= 0:
            raise CommandError("--interval must be more than 0 seconds")
        if not follow:
            done = audit_sealer.seal(batch_size=batch_size)
            where = f"; head {done.head[0]}" if done.head else ""
            self.stdout.write(f"sealed {done.entries} entries in {done.batches} batches{where}")
            return

        def report(count: int) -> None:
            if verbosity > 1:
                self.stdout.write(f"sealed {count} entries")

        self.stdout.write(f"sealing audit entries every {interval} s (stop with Ctrl-C)")
        try:
            audit_sealer.follow(interval=interval, batch_size=batch_size, on_batch=report)
        except KeyboardInterrupt:
            self.stdout.write("sealer stopped")

    def status(self, as_json: bool) -> None:
        waiting = audit_sealer.queue()
        lag = waiting.recent_lag
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "unsealed": waiting.unsealed,
                        "oldest_unsealed_age_seconds": _seconds(waiting.oldest_age),
                        "last_sequence": waiting.last_sequence,
                        "last_sealed_at": (
                            timestamp(waiting.last_sealed_at) if waiting.last_sealed_at else None
                        ),
                        "recent_lag_seconds": (
                            None
                            if lag is None
                            else {
                                "entries": waiting.recent_count,
                                "p50": _seconds(lag[0]),
                                "p99": _seconds(lag[1]),
                                "max": _seconds(lag[2]),
                            }
                        ),
                    },
                    indent=2,
                )
            )
            return
        age = waiting.oldest_age
        self.stdout.write(
            f"unsealed entries: {waiting.unsealed}"
            + (f" (oldest recorded {age:.1f} s ago)" if age is not None else "")
        )
        last = waiting.last_sequence
        sealed_at = waiting.last_sealed_at
        self.stdout.write(
            "last sealed: "
            + ("none" if last is None else str(last))
            + (f" at {timestamp(sealed_at)}" if sealed_at else "")
        )
        if lag is not None:
            self.stdout.write(
                f"sealing lag over the last {waiting.recent_count} sealed entries: "
                f"p50 {lag[0]:.3f} s, p99 {lag[1]:.3f} s, max {lag[2]:.3f} s"
            )


def _seconds(value: float | None) -> str | None:
    """Seconds as a string with milliseconds: the JSON stays free of floats, as entries are."""
    return None if value is None else f"{value:.3f}"


def _unsealed_line(waiting: audit_sealer.Queue) -> str:
    age = waiting.oldest_age or 0.0
    entries = "entry" if waiting.unsealed == 1 else "entries"
    return (
        f"{waiting.unsealed} {entries} committed but not yet sealed "
        f"(the oldest recorded {age:.1f} s ago; is `allied audit seal --follow` running?)"
    )
