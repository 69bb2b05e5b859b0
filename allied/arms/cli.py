"""``allied arms``: the statutory notification engine from the command line, no database.

``allied arms notification --partner ISO3 --channel fms|dcs [--mde USD] [--total USD]
[--design-construction USD] [--usml-category CAT] [--date YYYY-MM-DD] [--emergency]
[--what-if KEY] [--json]``

Exit codes: 0 a decision was printed, 2 bad input (the message names the field).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from typing import TextIO

from allied.arms.rules.notification import (
    LAW,
    SCENARIOS,
    SCENARIOS_BY_KEY,
    NotificationInputError,
    Sale,
    UsmlCategory,
    channel_of,
    decide,
    parse_day,
    parse_usd,
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="allied arms",
        description="Arms sales: is formal notification to Congress required (AECA 36(b)/(c))?",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser(
        "notification",
        help="decide whether a sale needs formal notification and its review period",
        description="Judge a sale by the law in force on its date. Amounts are U.S. dollars: "
        "25000000, 25,000,000, 25M or 0.025B.",
    )
    p.add_argument("--partner", required=True, help="ISO 3166-1 alpha-3 code, e.g. JPN, PHL")
    p.add_argument("--channel", required=True, help="fms (36(b)(1)) or dcs (36(c))")
    p.add_argument("--mde", default="0", help="major defense equipment value (USD)")
    p.add_argument("--total", default="0", help="total defense articles and services (USD)")
    p.add_argument("--design-construction", default="0", help="design and construction (USD)")
    p.add_argument("--usml-category", help="USML category, e.g. I(a) or XI")
    p.add_argument("--date", help="YYYY-MM-DD (default: today)")
    p.add_argument("--emergency", action="store_true", help="an emergency waiver is declared")
    p.add_argument(
        "--what-if",
        choices=[s.key for s in SCENARIOS],
        help="judge under a pending bill instead of the law in force",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    sub.add_parser("scenarios", help="list the 'what if' threshold sets")
    return parser


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.command == "scenarios":
        for s in SCENARIOS:
            print(f"{s.key:12} {s.name} ({s.status})", file=out)
        return 0
    try:
        sale = Sale(
            partner=args.partner.strip().upper(),
            channel=channel_of(args.channel),
            on=parse_day(args.date) if args.date else date.today(),
            mde=parse_usd("mde", args.mde),
            total=parse_usd("total", args.total),
            design_construction=parse_usd("design_construction", args.design_construction),
            usml_category=UsmlCategory.parse(args.usml_category) if args.usml_category else None,
            emergency=args.emergency,
        )
        law = SCENARIOS_BY_KEY[args.what_if].apply(LAW) if args.what_if else LAW
        decision = decide(sale, law)
    except NotificationInputError as exc:
        print(
            f"allied arms notification: error: --{exc.field.replace('_', '-')}: {exc.message}",
            file=err,
        )
        return 2
    if args.json:
        body = {
            "partner": sale.partner,
            "channel": sale.channel.value,
            "date": sale.on.isoformat(),
            **decision.as_dict(),
        }
        print(json.dumps(body, indent=2), file=out)
        return 0
    verdict = "REQUIRED" if decision.required else "NOT REQUIRED"
    print(f"Formal notification: {verdict}", file=out)
    if decision.required:
        print(f"Review period: {decision.review_days} days", file=out)
    for line in decision.basis:
        print(f"- {line}", file=out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
