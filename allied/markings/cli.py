"""``allied marking``: check, roll up and release markings from the command line, no database.

Exit codes: 0 success, 1 an invalid marking (every problem on stderr), 2 a usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from allied.markings.access import Membership, Viewer
from allied.markings.model import Marking, MarkingError
from allied.markings.parser import check, parse
from allied.markings.release import ReleaseAnalysis, analyse_release
from allied.markings.rollup import RollupError, rollup_portions
from allied.markings.vocab import DEFAULT_VOCABULARY, LEVEL_BY_ABBREV, LEVEL_BY_TITLE, Level


def _level(text: str) -> Level:
    key = text.strip().upper()
    level = LEVEL_BY_ABBREV.get(key) or LEVEL_BY_TITLE.get(key)
    if level is None:
        raise argparse.ArgumentTypeError(
            f"unknown clearance {text!r}; use U, C, S or TS (or the spelled-out level)"
        )
    return level


def _nation(text: str) -> str:
    code = text.strip().upper()
    if DEFAULT_VOCABULARY.is_trigraph(code):
        return code
    guess = DEFAULT_VOCABULARY.suggest_code(code)
    hint = f"; did you mean {guess}?" if guess else ""
    raise argparse.ArgumentTypeError(f"unknown country code {text!r}{hint}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="allied marking",
        description="Check, roll up and release U.S. classification markings. A marking in "
        "parentheses is a portion mark; anything else is a banner line.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_check = sub.add_parser("check", help="validate one marking and print its canonical form")
    p_check.add_argument("marking")
    p_check.add_argument("--json", action="store_true", help="print one JSON object")
    p_banner = sub.add_parser("banner", help="roll up the banner line of portion marks")
    p_banner.add_argument("portions", nargs="+", metavar="PORTION")
    p_banner.add_argument(
        "--with-banner",
        metavar="BANNER",
        help="the document's banner, to resolve (...//REL) portions",
    )
    p_release = sub.add_parser(
        "release", help="which portions a nation may receive, and its tearline"
    )
    p_release.add_argument("--to", required=True, type=_nation, metavar="NATION")
    p_release.add_argument("--clearance", type=_level, default=Level.TS, metavar="LEVEL")
    p_release.add_argument(
        "--member-of",
        action="append",
        default=[],
        metavar="CODE",
        help="a community the nation belongs to (repeatable)",
    )
    p_release.add_argument("--with-banner", metavar="BANNER")
    p_release.add_argument("--json", action="store_true", help="print one JSON object")
    p_release.add_argument("portions", nargs="+", metavar="PORTION")
    return parser


def _portions(texts: Sequence[str], err: TextIO) -> list[Marking] | None:
    markings: list[Marking] = []
    failed = False
    for text in texts:
        result = check(text)
        if result.form != "portion":
            print(
                f"{text!r} is not a portion mark: portion marks are in parentheses (rule 4)",
                file=err,
            )
            failed = True
        elif not result.valid:
            print(MarkingError(result), file=err)
            failed = True
        elif result.marking is not None:
            markings.append(result.marking)
    return None if failed else markings


def _banner(text: str | None, err: TextIO) -> tuple[bool, Marking | None]:
    if text is None:
        return True, None
    try:
        return True, parse(text)
    except MarkingError as exc:
        print(exc, file=err)
        return False, None


def _check_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``allied marking check``: the canonical form, or every problem."""
    result = check(args.marking)
    if getattr(args, "json", False):
        print(
            json.dumps(
                {
                    "marking": args.marking,
                    "form": result.form,
                    "valid": result.valid,
                    "canonical": result.canonical,
                    "problems": [p.as_dict() for p in result.problems],
                    "notices": [p.as_dict() for p in result.notices],
                }
            ),
            file=out,
        )
        return 0 if result.valid else 1
    if result.valid:
        print(result.canonical, file=out)
        for notice in result.notices:
            print(f"note: {notice}", file=err)  # valid, but due for a change (rule 30)
        return 0
    print(MarkingError(result), file=err)
    return 1


def _print_release(analysis: ReleaseAnalysis, out: TextIO) -> None:
    """``allied marking release`` as text: each portion's verdict, the document's, the tearline."""
    for p in analysis.portions:
        state = "withheld"
        if p.in_tearline:
            state = "releasable" if p.releasable else "display only"
        rule = f" (rule {p.decision.rule})" if p.decision.rule else ""
        print(
            f"{p.index + 1}. {p.marking.render('portion')}: {state}: {p.decision.reason}{rule}",
            file=out,
        )
    whole = "releasable" if analysis.whole.export else "not releasable"
    print(f"document {analysis.banner}: {whole} to {analysis.nation}", file=out)
    if analysis.blocking:
        blockers = ", ".join(
            f"{p.index + 1}" + (f" (rule {p.decision.rule})" if p.decision.rule else "")
            for p in analysis.blocking
        )
        print(f"release of the whole document is blocked by portions {blockers}", file=out)
    tearline = analysis.tearline.banner
    print(
        f"tearline for {analysis.nation}: {tearline if tearline else '(nothing releasable)'}",
        file=out,
    )


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)

    if args.command == "check":
        return _check_command(args, out, err)
    portions = _portions(args.portions, err)
    ok, banner = _banner(args.with_banner, err)
    if portions is None or not ok:
        return 1
    try:
        if args.command == "banner":
            print(rollup_portions(portions, banner).render("banner"), file=out)
            return 0
        members = tuple(Membership(c.upper()) for c in args.member_of)
        viewer = Viewer(args.to, args.clearance, frozenset(), members)
        analysis = analyse_release(portions, viewer, banner=banner)
    except RollupError as exc:
        print(f"cannot roll up: {exc}", file=err)
        return 1
    if args.json:
        print(json.dumps(analysis.as_dict()), file=out)
    else:
        _print_release(analysis, out)
    return 0
