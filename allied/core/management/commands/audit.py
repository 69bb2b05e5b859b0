"""``allied audit``: verify the audit log's hash chain, show its latest entries, or its head.

* ``allied audit verify [--json] [--anchor SEQUENCE:HASH]`` walks the whole log in batches (memory
  stays flat however long it is). Exit 0 and ``audit chain intact: N entries``, or exit 1 and every
  finding (``entry 1234 was changed``, ``entries 1235-1240 are missing``, ...).
* ``allied audit tail [-n 20]`` prints the latest entries, oldest first.
* ``allied audit head`` prints ``SEQUENCE:HASH`` of the last entry: keep it somewhere the
  database's users cannot write, and give it back to ``verify --anchor`` later to catch entries
  cut from the end of the log (or, without a key, a log rewritten and re-sealed).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allied.audit_chain import Verifier, timestamp
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
    help = "Verify the audit log's hash chain (verify), or show its latest entries (tail) or head."

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
        commands.add_parser("head", help="Print SEQUENCE:HASH of the last entry.")

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "verify":
            self.verify(_anchor(options["anchor"]), options["batch_size"], options["json"])
        elif subcommand == "tail":
            self.tail(options["count"])
        else:
            self.head()

    def verify(self, anchor: tuple[int, str] | None, batch_size: int, as_json: bool) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        key = audit_key()
        verifier = Verifier(key, anchor=anchor)
        for entry in walk(batch_size):
            verifier.feed(entry)
        findings = verifier.finish()
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "intact": not findings,
                        "entries": verifier.count,
                        "keyed": key is not None,
                        "anchored": anchor is not None,
                        "findings": [finding.as_dict() for finding in findings],
                    },
                    indent=2,
                )
            )
        elif not findings:
            self.stdout.write(f"audit chain intact: {verifier.count} entries")
        else:
            for finding in findings:
                self.stdout.write(str(finding))
        if findings:
            problems = "problem" if len(findings) == 1 else "problems"
            raise CommandError(
                f"audit chain broken: {len(findings)} {problems} in {verifier.count} entries"
            )

    def tail(self, count: int) -> None:
        if count < 1:
            raise CommandError("-n must be at least 1")
        latest = list(AuditEntry.objects.order_by("-sequence")[:count])
        for entry in reversed(latest):
            who = entry.actor_name or "-"
            if entry.nation:
                who += f" ({entry.nation})"
            line = f"{entry.sequence:>8}  {timestamp(entry.at)}  {who}  {entry.action}"
            if entry.object_type:
                line += f"  {entry.object_type}:{entry.object_id}"
            if entry.marking:
                line += f"  {entry.marking}"
            if entry.detail:
                line += "  " + json.dumps(entry.detail, sort_keys=True, ensure_ascii=False)
            self.stdout.write(line)

    def head(self) -> None:
        last = AuditEntry.objects.order_by("-sequence").values_list("sequence", "hash").first()
        if last is None:
            raise CommandError("the audit log is empty")
        self.stdout.write(f"{last[0]}:{last[1]}")
