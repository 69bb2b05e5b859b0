"""Parsing and validation of banner lines and portion marks.

``check`` never raises on bad input: it reads the whole marking, collects every problem (with the
offending token, its position, the rule and, where mechanical, the fix) and builds the marking it
could repair. ``parse`` returns the marking when it is valid as written and raises
``MarkingError`` otherwise; ``parse(text, lenient=True)`` accepts a marking whose every problem has
a mechanical fix (P6: lenient parsing is a separate, explicit mode).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from allied.markings.model import (
    CheckResult,
    Compartment,
    Control,
    Form,
    Kind,
    Marking,
    MarkingError,
    Problem,
)
from allied.markings.render import render, render_control, render_dissem
from allied.markings.rollup import cui_category_key, merge_controls
from allied.markings.vocab import (
    AEA_ORDER,
    CUI_EXCLUSIVE,
    CUI_LDCS,
    DISSEM_BANNER,
    DISSEM_ORDER,
    DISSEM_TITLES,
    LEVEL_BY_ABBREV,
    LEVEL_BY_TITLE,
    LEVEL_TITLES,
    NONIC_BANNER,
    NONIC_ORDER,
    NONIC_TITLES,
    SCI_SYSTEMS,
    Level,
    Vocabulary,
    code_sort_key,
    default_vocabulary,
    rel_sort_key,
)

# Category numbers in the order of rule 1.
CLASSIFICATION, SCI, SAP, AEA, FGI, DISSEM, NONIC = range(7)
CATEGORY_NAMES = {
    CLASSIFICATION: "classification",
    SCI: "SCI control systems",
    SAP: "special access programs",
    AEA: "atomic energy markings",
    FGI: "FGI",
    DISSEM: "dissemination controls",
    NONIC: "non-IC dissemination controls",
}

# Every spelling of a dissemination control -> (portion mark, forms in which it is correct).
_BOTH: frozenset[Form] = frozenset({"banner", "portion"})
_BANNER: frozenset[Form] = frozenset({"banner"})
_PORTION: frozenset[Form] = frozenset({"portion"})


def _spellings(
    portion_marks: tuple[str, ...], banner: dict[str, str], titles: dict[str, str]
) -> dict[str, tuple[str, frozenset[Form]]]:
    table: dict[str, tuple[str, frozenset[Form]]] = {}
    for mark in portion_marks:
        abbrev = banner.get(mark, mark)
        table[mark] = (mark, _BOTH if abbrev == mark else _PORTION)
        table.setdefault(abbrev, (mark, _BANNER))
        if mark in titles:
            table[titles[mark]] = (mark, _BANNER)
    return table


_DISSEM_SPELLINGS = _spellings(
    tuple(c for c in DISSEM_ORDER if c not in ("REL", "DISPLAY") and c not in CUI_LDCS),
    DISSEM_BANNER,
    DISSEM_TITLES,
)
# A CUI mark's limited dissemination controls (rule 30): NOFORN (NF in a portion) and the
# registry's own; REL TO and DISPLAY ONLY are read as in any marking.
_CUI_LDC_SPELLINGS: dict[str, tuple[str, frozenset[Form]]] = {
    "NOFORN": ("NF", _BANNER),
    "NF": ("NF", _PORTION),
    **{ldc: (ldc, _BOTH) for ldc in CUI_LDCS},
}
_CUI_CATEGORY_RE = re.compile(r"^(?:SP-)?[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")
_CUI_CONTROL = ("CUI", "CONTROLLED")
_NONIC_SPELLINGS = _spellings(NONIC_ORDER, NONIC_BANNER, NONIC_TITLES)
_AEA_SPELLINGS: dict[str, tuple[str, frozenset[Form]]] = {
    **{mark: (mark, _BOTH) for mark in AEA_ORDER},
    "RESTRICTED DATA": ("RD", _BANNER),
    "FORMERLY RESTRICTED DATA": ("FRD", _BANNER),
    "TRANSCLASSIFIED FOREIGN NUCLEAR INFORMATION": ("TFNI", _BANNER),
    "RESTRICTED DATA-CRITICAL NUCLEAR WEAPON DESIGN INFORMATION": ("RD-CNWDI", _BANNER),
}
_ALL_WORDS = sorted(
    {*_DISSEM_SPELLINGS, *_NONIC_SPELLINGS, *_AEA_SPELLINGS, *SCI_SYSTEMS, "REL TO", "DISPLAY ONLY"}
)
_EYES_RE = re.compile(r"^(?:(?P<list>[A-Z]{3,4}(?:/[A-Z]{3,4})*) )?EYES(?: ONLY)?$")
_EYES_SCAN = re.compile(r"(?:[A-Z]{3,4}(?:/[A-Z]{3,4})* )?EYES(?: ONLY)?")
_SPACED = re.compile(r" +//|// +| +/(?!/)|(?<!/)/ +")
_LIST_ODDITY = re.compile(r",(?! )|,  |^ | $|[^,] | ,|^,|,$")
_CONTROL_RE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+(?: [A-Z0-9]+)*)*$")
_REL_PREFIXES = ("REL TO", "AUTHORIZED FOR RELEASE TO")
_NONUS_LEVELS = {**LEVEL_BY_ABBREV, **LEVEL_BY_TITLE}
_US_LEVELS = frozenset(_NONUS_LEVELS)


class _Builder:
    """What has been read so far, and the problems found on the way."""

    __slots__ = (
        "aea",
        "categories_seen",
        "cui",
        "display_to",
        "dissem",
        "fgi",
        "fixable",
        "form",
        "kind",
        "level",
        "nonic",
        "owners",
        "problems",
        "rel_short",
        "rel_to",
        "sap",
        "sci",
        "silent_repair",
        "text",
        "vocabulary",
    )

    def __init__(self, text: str, form: Form, vocabulary: Vocabulary) -> None:
        self.text = text
        self.form: Form = form
        self.vocabulary = vocabulary
        self.problems: list[Problem] = []
        self.fixable = True
        # False when a fix is mechanical but must not be applied without a person (P5).
        self.silent_repair = True
        self.level: Level | None = None
        self.kind: Kind = "us"
        self.owners: tuple[str, ...] = ()
        self.sci: list[Control] = []
        self.sap: list[Control] = []
        self.aea: list[str] = []
        self.fgi: tuple[str, ...] | None = None
        self.dissem: list[str] = []
        self.rel_to: tuple[str, ...] = ()
        self.rel_short = False
        self.display_to: tuple[str, ...] = ()
        self.nonic: list[str] = []
        self.categories_seen: list[tuple[int, int, str]] = []
        self.cui: list[str] | None = None

    def where(self, category: int) -> tuple[str, int]:
        """The text and position of a category, for problems about the category as a whole."""
        for cat, pos, text in self.categories_seen:
            if cat == category:
                return text, pos
        return self.text, 0

    def problem(
        self,
        rule: str,
        message: str,
        token: str,
        position: int,
        fix: str | None = None,
        *,
        mechanical: bool = True,
    ) -> None:
        self.problems.append(Problem(rule, message, token, position, fix))
        if not mechanical:
            self.fixable = False


def _split(text: str, sep: str, start: int) -> list[tuple[str, int]]:
    """``text`` split on ``sep``, each piece with its offset in the original marking."""
    out: list[tuple[str, int]] = []
    pos = 0
    while True:
        idx = text.find(sep, pos)
        if idx < 0:
            out.append((text[pos:], start + pos))
            return out
        out.append((text[pos:idx], start + pos))
        pos = idx + len(sep)


def _suggest_word(token: str) -> str | None:
    close = difflib.get_close_matches(token, _ALL_WORDS, n=1, cutoff=0.6)
    return close[0] if close else None


# --- code lists (REL TO, DISPLAY ONLY, FGI, JOINT) ---


def _read_codes(
    b: _Builder,
    text: str,
    start: int,
    *,
    comma: bool,
    what: str,
    token: str,
    position: int,
    show: Callable[[list[str]], str],
) -> list[str]:
    """Read a list of codes, reporting bad separators, unknown codes and duplicates.

    ``token`` (at ``position``) is the whole value the list belongs to, and ``show`` renders a
    corrected list, so that each problem can propose the value's canonical form.
    """
    codes: list[str]
    bad_separator: str | None
    if comma and text and not _LIST_ODDITY.search(text):
        # Fast path: a well-separated list. Anything odd takes the careful path below.
        codes, bad_separator = _read_plain_list(b, text, start), None
    elif comma:
        codes, bad_separator = _read_comma_list(b, text, start)
    elif text:
        codes, bad_separator = _read_space_list(b, text, start)
    else:
        codes, bad_separator = [], None
    known = [c for c in codes if c]
    unique = list(dict.fromkeys(known))
    if bad_separator is not None:
        rule = "P6" if comma and "," in bad_separator else "2"
        sep = "a comma and one space" if comma else "one space"
        b.problem(
            rule, f"codes in a {what} list are separated by {sep}", token, position, show(unique)
        )
    if len(unique) != len(known):
        dupes = sorted({c for c in known if known.count(c) > 1})
        b.problem(
            "16",
            f"duplicate code {', '.join(dupes)} in the {what} list",
            token,
            position,
            show(unique),
        )
    return unique


def _read_plain_list(b: _Builder, text: str, start: int) -> list[str]:
    """The codes of a list separated by a comma and one space each."""
    codes: list[str] = []
    vocabulary = b.vocabulary
    offset = start
    for piece in text.split(", "):
        codes.append(piece if vocabulary.is_code(piece) else _read_code(b, piece, offset))
        offset += len(piece) + 2
    return codes


def _read_comma_list(b: _Builder, text: str, start: int) -> tuple[list[str], str | None]:
    """The codes of a comma-separated list written oddly, and the first bad separator."""
    codes: list[str] = []
    bad_separator: str | None = None
    pieces = re.split(r"(\s*,\s*|\s+)", text)
    offset = start
    for i, piece in enumerate(pieces):
        if i % 2 == 1:
            if piece != ", " and bad_separator is None:
                bad_separator = piece
        elif piece:
            codes.append(_read_code(b, piece, offset))
        elif len(pieces) > 1 and bad_separator is None:
            bad_separator = pieces[i - 1] if i else pieces[1]  # a separator with no code
        offset += len(piece)
    return codes, bad_separator


def _read_space_list(b: _Builder, text: str, start: int) -> tuple[list[str], str | None]:
    """The codes of a space-separated list, and the first bad separator."""
    codes: list[str] = []
    bad_separator: str | None = None
    offset = start
    for i, piece in enumerate(re.split(r"([\s,]+)", text)):
        if i % 2 == 1:
            if piece != " " and bad_separator is None:
                bad_separator = piece
        elif piece:
            codes.append(_read_code(b, piece, offset))
        offset += len(piece)
    return codes, bad_separator


def _read_code(b: _Builder, token: str, position: int) -> str:
    if b.vocabulary.is_code(token):
        return token
    guess = b.vocabulary.suggest_code(token)
    kind = "country code" if len(token) != 4 else "tetragraph or community code"
    b.problem("8", f"unknown {kind} {token}", token, position, guess, mechanical=guess is not None)
    return guess or ""


def _check_order(
    b: _Builder,
    codes: list[str],
    key: Callable[[str], tuple[int, str]],
    token: str,
    position: int,
    rule: str,
    what: str,
    show: Callable[[list[str]], str],
) -> list[str]:
    ordered = sorted(codes, key=key)
    if ordered != codes:
        b.problem(rule, f"{what} out of order", token, position, show(ordered))
    return ordered


def _read_rel_to(b: _Builder, text: str, start: int, token: str, position: int) -> None:
    def show(cs: list[str]) -> str:
        return "REL TO " + ", ".join(sorted(set(cs) | {"USA"}, key=rel_sort_key))

    codes = _read_codes(
        b, text, start, comma=True, what="REL TO", token=token, position=position, show=show
    )

    if "USA" not in codes:
        b.problem("8", "a REL TO list starts with USA", token, position, show(["USA", *codes]))
        codes = ["USA", *codes]
    elif codes[0] != "USA":
        fixed = sorted(codes, key=rel_sort_key)
        b.problem("8", "USA must come first", token, position, show(fixed))
        codes = fixed
    codes = _check_order(
        b,
        codes,
        rel_sort_key,
        token,
        position,
        "8",
        "REL TO codes (trigraphs then tetragraphs, alphabetical)",
        show,
    )
    if len(codes) < 2:
        b.problem("9", "REL TO needs at least one foreign code", token, position, mechanical=False)
    b.rel_to = tuple(codes)


def _read_display_only(b: _Builder, text: str, start: int, token: str, position: int) -> None:
    def show(cs: list[str]) -> str:
        return "DISPLAY ONLY " + ", ".join(sorted(set(cs) - {"USA"}, key=code_sort_key))

    codes = _read_codes(
        b, text, start, comma=True, what="DISPLAY ONLY", token=token, position=position, show=show
    )

    if "USA" in codes:
        codes = [c for c in codes if c != "USA"]
        b.problem("11", "a DISPLAY ONLY list has no USA", token, position, show(codes))
    codes = _check_order(
        b,
        codes,
        code_sort_key,
        token,
        position,
        "11",
        "DISPLAY ONLY codes (trigraphs then tetragraphs, alphabetical)",
        show,
    )
    if not codes:
        b.problem("11", "DISPLAY ONLY needs at least one code", token, position, mechanical=False)
    b.display_to = tuple(codes)


# --- categories ---


def _read_classification(b: _Builder, text: str, start: int) -> None:
    if b.form == "portion":
        level = LEVEL_BY_ABBREV.get(text)
        if level is None and text in LEVEL_BY_TITLE:
            level = LEVEL_BY_TITLE[text]
            b.problem("4", "a portion mark abbreviates the classification", text, start, level.name)
    else:
        level = LEVEL_BY_TITLE.get(text)
        if level is None and text in LEVEL_BY_ABBREV:
            level = LEVEL_BY_ABBREV[text]
            b.problem("3", "a banner spells out the classification", text, start, level.title)
    if level is None:
        words = list(LEVEL_BY_TITLE) if b.form == "banner" else list(LEVEL_BY_ABBREV)
        close = difflib.get_close_matches(text, words, n=1, cutoff=0.5)
        guess = close[0] if close else None
        b.problem("3", "unknown classification", text, start, guess, mechanical=guess is not None)
        level = LEVEL_BY_TITLE.get(guess or "", LEVEL_BY_ABBREV.get(guess or "", Level.U))
    b.level = level


def _read_nonus_classification(b: _Builder, text: str, start: int) -> None:
    """``GBR S``, ``FGI S`` (concealed source) or ``JOINT S CAN GBR USA`` (rules 3, 12, 13)."""
    words = text.split(" ")
    if words[0] == "JOINT":
        b.kind = "joint"
        rest = " ".join(words[1:])
        titled = [t for t in LEVEL_TITLES.values() if rest.startswith(t + " ")]
        level_text = titled[0] if titled else (words[1] if len(words) > 1 else "")
        codes_text = rest[len(level_text) + 1 :]
        codes_start = start + len("JOINT ") + len(level_text) + 1
        b.level = _nonus_level(b, level_text, start + len("JOINT "))

        def show_joint(cs: list[str]) -> str:
            return "JOINT " + " ".join([level_text, *sorted(cs, key=code_sort_key)])

        codes = _read_codes(
            b,
            codes_text,
            codes_start,
            comma=False,
            what="JOINT",
            token=text,
            position=start,
            show=show_joint,
        )
        ordered = sorted(codes, key=code_sort_key)
        if ordered != codes:
            b.problem(
                "13",
                "JOINT codes are listed alphabetically, USA in its place",
                text,
                start,
                "JOINT " + " ".join([level_text, *ordered]),
            )
        if len(ordered) < 2:
            b.problem("13", "JOINT names at least two owners", text, start, mechanical=False)
        b.owners = tuple(ordered)
        return
    b.kind = "fgi"
    owner = words[0]
    if owner != "FGI":
        owner = _read_code(b, owner, start)
        if owner == "USA":
            b.problem(
                "3",
                "U.S. information is marked with a U.S. classification",
                text,
                start,
                mechanical=False,
            )
    b.owners = () if owner in ("FGI", "") else (owner,)
    level_text = " ".join(words[1:])
    b.level = _nonus_level(b, level_text, start + len(words[0]) + 1)


def _nonus_level(b: _Builder, text: str, start: int) -> Level:
    level = _NONUS_LEVELS.get(text)
    if level is None:
        b.problem("3", "unknown classification", text, start, mechanical=False)
        return Level.U
    return level


def _read_control(b: _Builder, token: str, position: int, *, sap: bool) -> Control | None:
    parts = token.split("-")
    head = parts[0].split(" ", 1)
    if len(head) == 2 and (head[0] in SCI_SYSTEMS or head[0].isdigit() or sap):
        # "SI G": a hyphen, not a space, joins a control system to its compartment (rule 2).
        fixed = token.replace(" ", "-", 1)
        b.problem("2", "a hyphen joins a control system to its compartment", token, position, fixed)
        return _read_control(b, fixed, position, sap=sap)
    if not _CONTROL_RE.match(token):
        b.problem(
            "2",
            "malformed control, compartment or sub-compartment",
            token,
            position,
            mechanical=False,
        )
        return None
    if not sap and not (parts[0] in SCI_SYSTEMS or parts[0].isdigit()):
        guess = _suggest_word(token)
        b.problem("1", f"unknown control {token}", token, position, guess, mechanical=False)
        return None
    control = _control_of(parts)
    fixed = render_control(control)
    if fixed != token:
        b.problem(
            "7",
            "compartments and sub-compartments are sorted, numbers before letters, each once",
            token,
            position,
            fixed,
        )
    return control


def _control_of(parts: list[str]) -> Control:
    """The control of a well-formed token split on ``-``: its system, then each compartment
    with its sub-compartments, sorted (rule 7)."""
    comps: dict[str, set[str]] = {}
    for part in parts[1:]:
        words = part.split(" ")
        comps.setdefault(words[0], set()).update(words[1:])
    return Control(
        parts[0], tuple(Compartment(n, tuple(sorted(subs))) for n, subs in sorted(comps.items()))
    )


def _read_sap(b: _Builder, text: str, start: int) -> None:
    prefix = "SAR-" if text.startswith("SAR-") else "SPECIAL ACCESS REQUIRED-"
    body = text[len(prefix) :]
    seen: list[str] = []
    for token, position in _split(body, "/", start + len(prefix)):
        if token.startswith("SAR-"):
            b.problem(
                "7", "SAR- is written once, before the first program", token, position, token[4:]
            )
            token, position = token[4:], position + 4
        control = _read_control(b, token, position, sap=True)
        if control is not None:
            b.sap.append(control)
            seen.append(control.system)
    if seen != sorted(seen):
        b.problem("7", "special access programs are sorted", text, start)


def _read_fgi(b: _Builder, text: str, start: int) -> None:
    if b.fgi is not None:
        b.problem("1", "FGI appears twice", text, start)
    codes_text = text[4:] if text.startswith("FGI ") else ""

    def show(cs: list[str]) -> str:
        return " ".join(("FGI", *sorted(cs, key=code_sort_key)))

    codes = _read_codes(
        b, codes_text, start + 4, comma=False, what="FGI", token=text, position=start, show=show
    )
    ordered = sorted(codes, key=code_sort_key)
    if ordered != codes:
        b.problem(
            "12",
            "FGI codes are trigraphs then tetragraphs, alphabetical",
            text,
            start,
            " ".join(("FGI", *ordered)),
        )
    b.fgi = tuple(ordered)


def _classify_value(token: str) -> int | None:
    if token in _DISSEM_SPELLINGS or token == "REL" or token.startswith(_REL_PREFIXES):
        return DISSEM
    if token.startswith("DISPLAY ONLY") or ("EYES" in token and _EYES_RE.match(token)):
        return DISSEM
    if token in _NONIC_SPELLINGS:
        return NONIC
    if token in _AEA_SPELLINGS or token.replace(" ", "-") in _AEA_SPELLINGS:
        return AEA
    head = token.split("-", 1)[0].split(" ", 1)[0]
    if head in SCI_SYSTEMS or head.isdigit():
        return SCI
    if token.startswith("REL "):
        return DISSEM
    return None


def _is_category(text: str) -> bool:
    """Whether ``text`` reads as a category other than the classification."""
    if text.startswith(("SAR-", "SPECIAL ACCESS REQUIRED-", "FGI")):
        return True
    return all(_classify_value(v) is not None for v, _ in _split_values(text, 0) if v)


def _split_values(text: str, start: int) -> list[tuple[str, int]]:
    """Values of one category split on ``/``, keeping ``USA/GBR EYES ONLY`` whole."""
    eyes = _EYES_SCAN.search(text) if "EYES" in text else None
    if eyes is None or "/" not in eyes.group(0):
        return _split(text, "/", start)
    before, after = text[: eyes.start()], text[eyes.end() :]
    values = _split(before.rstrip("/"), "/", start) if before.strip("/") else []
    values.append((eyes.group(0), start + eyes.start()))
    if after.strip("/"):
        values += _split(after.lstrip("/"), "/", start + eyes.end() + 1)
    return values


def _read_value(b: _Builder, category: int, token: str, position: int) -> None:
    if category == SCI:
        control = _read_control(b, token, position, sap=False)
        if control is not None:
            b.sci.append(control)
    elif category == AEA:
        _read_aea(b, token, position)
    elif category == NONIC:
        _read_nonic(b, token, position)
    elif "EYES" in token and (eyes := _EYES_RE.match(token)):
        _read_eyes(b, eyes, token, position)
    elif token.startswith(("REL", "AUTHORIZED FOR RELEASE TO")):
        _read_rel(b, token, position)
    elif token.startswith("DISPLAY ONLY"):
        rest = token[len("DISPLAY ONLY") :].lstrip(" ")
        _read_display_only(b, rest, position + len(token) - len(rest), token, position)
        b.dissem.append("DISPLAY")
    else:
        _read_dissem(b, token, position)


def _read_aea(b: _Builder, token: str, position: int) -> None:
    """An atomic energy marking (rules 2, 5)."""
    if token not in _AEA_SPELLINGS:
        fixed = token.replace(" ", "-")
        b.problem("2", "a hyphen joins RD to CNWDI", token, position, fixed)
        token = fixed
    mark, forms = _AEA_SPELLINGS[token]
    if b.form not in forms:
        b.problem("5", "a portion uses the portion mark", token, position, mark)
    b.aea.append(mark)


def _read_nonic(b: _Builder, token: str, position: int) -> None:
    """A non-IC dissemination control, in the spelling of its form (rules 4, 5)."""
    b.nonic.append(_spelled(b, token, position, _NONIC_SPELLINGS, NONIC_BANNER))


def _read_dissem(b: _Builder, token: str, position: int) -> None:
    """A dissemination control other than REL TO, DISPLAY ONLY and EYES ONLY (rules 4, 5)."""
    b.dissem.append(_spelled(b, token, position, _DISSEM_SPELLINGS, DISSEM_BANNER))


def _spelled(
    b: _Builder,
    token: str,
    position: int,
    spellings: dict[str, tuple[str, frozenset[Form]]],
    banner: dict[str, str],
) -> str:
    """The portion mark of a control spelled ``token``; a problem when the spelling is not the
    one of the marking's form (rules 4, 5)."""
    form = b.form
    mark, forms = spellings[token]
    if form not in forms:
        want = mark if form == "portion" else banner[mark]
        rule = "4" if form == "portion" else "5"
        b.problem(rule, f"use {want} in a {form}", token, position, want)
    return mark


def _read_eyes(b: _Builder, eyes: re.Match[str], token: str, position: int) -> None:
    """``USA/GBR EYES ONLY``, no longer authorized: its fix is a REL TO list (rule 17, P5)."""
    codes = [c for c in (eyes.group("list") or "").split("/") if c]
    foreign = [c for c in codes if c != "USA"]
    rel_to = tuple(sorted({"USA", *foreign}, key=rel_sort_key))
    fix = "REL TO " + ", ".join(rel_to) if foreign else None
    b.problem(
        "P5",
        "EYES ONLY is no longer authorized (rule 17); mark it REL TO USA, [LIST]",
        token,
        position,
        fix,
        mechanical=fix is not None,
    )
    if fix is not None:
        b.dissem.append("REL")
        b.rel_to = rel_to
    b.silent_repair = False


def _read_rel(b: _Builder, token: str, position: int) -> None:
    """``REL`` (a portion with the banner's list), ``REL TO ...`` or a spelling of it (rules 2,
    5, 9, 10)."""
    form = b.form
    if token == "REL":
        if form == "banner":
            b.problem(
                "10", "a banner writes the REL TO list in full", token, position, mechanical=False
            )
        b.rel_short = True
        b.dissem.append("REL")
        return
    if token.startswith("REL ") and not token.startswith("REL TO"):
        listed = token[4:]
        if listed.strip() == "USA":
            b.problem(
                "9",
                "REL USA alone is not authorized: name a foreign code",
                token,
                position,
                mechanical=False,
            )
            return
        b.problem(
            "10",
            "REL is written alone (a portion with the banner's list) or as REL TO",
            token,
            position,
            "REL TO " + listed,
        )
        token = "REL TO " + listed
    for prefix in _REL_PREFIXES:
        if token.startswith(prefix):
            _read_rel_list(b, prefix, token, position)
            return
    _read_dissem(b, token, position)


def _read_rel_list(b: _Builder, prefix: str, token: str, position: int) -> None:
    """``REL TO`` (or ``AUTHORIZED FOR RELEASE TO``) and its list."""
    rest = token[len(prefix) :]
    if prefix != "REL TO" and b.form == "portion":
        b.problem("5", "a portion uses REL TO", token, position, "REL TO" + rest)
    if not rest.strip():
        b.problem("9", "REL TO needs a list of codes", token, position, mechanical=False)
        b.dissem.append("REL")
        return
    if not rest.startswith(" ") or rest.startswith("  "):
        b.problem("2", "one space follows REL TO", token, position)
    rest_stripped = rest.lstrip(" ")
    _read_rel_to(b, rest_stripped, position + len(token) - len(rest_stripped), token, position)
    b.dissem.append("REL")


def _is_cui_ldc(token: str) -> bool:
    return token in _CUI_LDC_SPELLINGS or token.startswith(("REL TO", "DISPLAY ONLY"))


def _read_cui(b: _Builder, segments: list[tuple[str, int]]) -> None:
    """A mark in the CUI registry's form: ``CUI[//categories][//limited dissemination controls]``
    (rule 30, P4): UNCLASSIFIED, with ``CUI`` among its dissemination controls."""
    control, position = segments[0]
    if control != "CUI" and b.form == "portion":
        b.problem("30", "a portion marks CUI as CUI", control, position, "CUI")
    b.level = Level.U
    b.cui = []
    b.dissem.append("CUI")
    seen_ldcs = False
    for seg, pos in segments[1:]:
        if not seg:
            b.problem("2", "empty category between separators", "//", pos - 2)
            continue
        values = _split(seg, "/", pos)
        if all(_is_cui_ldc(v) for v, _ in values if v):
            if seen_ldcs:
                b.problem(
                    "1", "a category appears twice; list its values once, divided by /", seg, pos
                )
            seen_ldcs = True
            b.categories_seen.append((DISSEM, pos, seg))
            _read_cui_ldcs(b, values)
            continue
        if seen_ldcs:
            b.problem(
                "30",
                "CUI categories come before the limited dissemination controls",
                seg,
                pos,
                mechanical=False,
            )
        if b.cui:
            b.problem("1", "a category appears twice; list its values once, divided by /", seg, pos)
        _read_cui_categories(b, b.cui, seg, pos, values)


def _read_cui_ldcs(b: _Builder, values: list[tuple[str, int]]) -> None:
    """A CUI mark's limited dissemination controls, REL TO and DISPLAY ONLY among them."""
    for token, at in values:
        if token in _CUI_LDC_SPELLINGS:
            mark, forms = _CUI_LDC_SPELLINGS[token]
            if b.form not in forms:
                want = mark if b.form == "portion" else "NOFORN"
                b.problem(
                    "4" if b.form == "portion" else "5",
                    f"use {want} in a {b.form}",
                    token,
                    at,
                    want,
                )
            b.dissem.append(mark)
        elif token:
            _read_value(b, DISSEM, token, at)


def _read_cui_categories(
    b: _Builder, cui: list[str], seg: str, pos: int, values: list[tuple[str, int]]
) -> None:
    """A CUI mark's categories, added to ``cui``: each once, SP- first, then alphabetical."""
    found: list[str] = []
    for token, at in values:
        if not token:
            b.problem("2", "empty value between separators", "/", at - 1)
        elif not _CUI_CATEGORY_RE.match(token) or _classify_value(token) is not None:
            b.problem("30", f"{token} is not a CUI category marking", token, at, mechanical=False)
        else:
            found.append(token)
    unique = list(dict.fromkeys(found))
    ordered = sorted(unique, key=cui_category_key)
    if unique != found:
        b.problem("16", "duplicate CUI category", seg, pos, "/".join(ordered))
    if ordered != unique:
        b.problem(
            "30",
            "CUI categories are listed CUI Specified (SP-) first, then basic, alphabetical",
            seg,
            pos,
            "/".join(ordered),
        )
    cui.extend(c for c in ordered if c not in cui)


def _read_category(b: _Builder, text: str, start: int) -> None:
    if text.startswith(("SAR-", "SPECIAL ACCESS REQUIRED-")):
        b.categories_seen.append((SAP, start, text))
        _read_sap(b, text, start)
        return
    if text == "FGI" or text.startswith("FGI "):
        b.categories_seen.append((FGI, start, text))
        _read_fgi(b, text, start)
        return
    values = _split_values(text, start)
    cats: list[int] = []
    for token, position in values:
        if not token:
            b.problem("2", "empty value between separators", "/", position - 1)
            continue
        category = _classify_value(token)
        if category is None:
            guess = _suggest_word(token)
            b.problem("1", f"unknown marking {token}", token, position, guess, mechanical=False)
            continue
        cats.append(category)
        _read_value(b, category, token, position)
    kinds = sorted(set(cats))
    if len(kinds) > 1:
        names = " and ".join(CATEGORY_NAMES[c] for c in kinds)
        b.problem("1", f"{names} are separate categories, divided by //", text, start)
    for category in kinds:
        b.categories_seen.append((category, start, text))


# --- semantic rules ---


_FLOORS = {
    "OC": (Level.C, "ORCON"),
    "OC-USGOV": (Level.C, "ORCON-USGOV"),
    "IMC": (Level.S, "IMCON"),
    "RS": (Level.S, "RSEN"),
}
_SCI_FLOORS = {"SI": Level.C, "TK": Level.S, "HCS": Level.C, "KDK": Level.S}


def _validate(b: _Builder, m: Marking) -> None:
    """The semantic rules, each family in its turn: release conflicts, exclusive CUI controls,
    floors and ceilings, and the FGI category of a non-U.S. marking."""
    dissem = set(m.dissem)
    _check_release_conflicts(b, m, dissem)
    # Rule 30: CUI limited dissemination controls that exclude one another.
    for one, other in CUI_EXCLUSIVE:
        if one in dissem and other in dissem:
            _bad(b, "30", f"{one} cannot appear with {other}")
    _check_dissem_floors(b, m.level, dissem)
    _check_sci_aea_floors(b, m, dissem)
    _check_nonic_rules(b, m.level, dissem, set(m.nonic))
    if m.kind != "us" and m.fgi is not None:
        _bad(b, "3", "a non-U.S. marking has no FGI category", FGI)


def _bad(b: _Builder, rule: str, message: str, category: int = DISSEM) -> None:
    """A semantic problem, placed on ``category``'s text; a person must fix it."""
    token, position = b.where(category)
    b.problem(rule, message, token, position, mechanical=False)


def _check_release_conflicts(b: _Builder, m: Marking, dissem: set[str]) -> None:
    """Rule 14: foreign disclosure and release markings that cannot share a marking. The fix
    proposed for the whole marking keeps the most protective of them (rule 24(h)); a person
    must choose it, so it is never applied silently."""
    conflicts: list[str] = []
    if "NF" in dissem:
        for other, name in (("REL", "REL TO"), ("RELIDO", "RELIDO"), ("DISPLAY", "DISPLAY ONLY")):
            if other in dissem:
                conflicts.append(f"NOFORN cannot appear with {name}")
    elif "RELIDO" in dissem and "DISPLAY" in dissem:
        conflicts.append("RELIDO cannot appear with DISPLAY ONLY")
    if not conflicts:
        return
    dropped = {"REL", "RELIDO", "DISPLAY"} if "NF" in dissem else {"DISPLAY"}
    protective = replace(
        m,
        dissem=tuple(c for c in m.dissem if c not in dropped),
        rel_to=() if "REL" in dropped else m.rel_to,
        rel_short=m.rel_short and "REL" not in dropped,
        display_to=(),
    )
    whole = b.text.strip()
    position = len(b.text) - len(b.text.lstrip())
    for message in conflicts:
        token, at = b.where(DISSEM)
        b.problem("14", message, token, at, mechanical=False)
    b.problem(
        "14",
        "of conflicting release markings, the most protective is kept (rule 24(h))",
        whole,
        position,
        render(protective, b.form),
        mechanical=False,
    )


def _check_dissem_floors(b: _Builder, level: Level, dissem: set[str]) -> None:
    """Rule 15 (and P4): the dissemination controls' floors and ceilings."""
    for mark, (floor, name) in _FLOORS.items():
        if mark in dissem and level < floor:
            _bad(b, "15", f"{name} needs {floor.title} or higher")
    for mark in ("FOUO", "CUI"):
        if mark in dissem and level > Level.U:
            _bad(b, "15" if mark == "FOUO" else "P4", f"{mark} is used only with UNCLASSIFIED")


def _check_sci_aea_floors(b: _Builder, m: Marking, dissem: set[str]) -> None:
    """Rule 15: the floors of SCI control systems and atomic energy markings, and the SCI that
    requires NOFORN."""
    level = m.level
    for control in m.sci:
        sci_floor = _SCI_FLOORS.get(control.system)
        if sci_floor is not None and level < sci_floor:
            _bad(b, "15", f"{control.system} needs {sci_floor.title} or higher", SCI)
        if control.system in ("HCS", "KDK") and "NF" not in dissem:
            _bad(b, "15", f"{control.system} requires NOFORN", SCI)
    for mark in m.aea:
        if level < Level.C:
            _bad(b, "15", f"{mark} needs CONFIDENTIAL or higher", AEA)
    if "RD-CNWDI" in m.aea and level < Level.S:
        _bad(b, "15", "CNWDI is used only with SECRET or TOP SECRET RD (CAPCO register H.6)", AEA)


def _check_nonic_rules(b: _Builder, level: Level, dissem: set[str], nonic: set[str]) -> None:
    """Rules 15 and 23: non-IC controls that require NOFORN or only go with UNCLASSIFIED."""
    for mark in ("ND", "XD"):
        if mark in nonic and "NF" not in dissem and "SBU-NF" not in nonic:
            _bad(b, "15", f"{NONIC_BANNER[mark]} requires NOFORN", NONIC)
    if level == Level.U:
        return
    for mark in ("SBU", "SBU-NF", "LES", "LES-NF"):
        if mark not in nonic:
            continue
        if b.form == "portion":
            _bad(b, "15", f"{mark} is used only in UNCLASSIFIED portions", NONIC)
        elif mark.endswith("-NF"):
            _bad(b, "23", f"a classified banner carries NOFORN and {mark[:-3]}, not {mark}", NONIC)


def _render_category(b: _Builder, category: int, values: list[str]) -> str | None:
    """The canonical text of one category's values, for the fix of an order or duplicate problem."""
    if category == DISSEM:
        partial = Marking(
            level=Level.U,
            dissem=tuple(values),
            rel_to=b.rel_to,
            display_to=b.display_to,
            rel_short=b.rel_short,
        )
        return render_dissem(partial, b.form)
    if category == NONIC:
        return "/".join(NONIC_BANNER[v] if b.form == "banner" else v for v in values)
    if category == AEA:
        return "/".join(values)
    return None


def _aea(b: _Builder, aea: tuple[str, ...]) -> tuple[str, ...]:
    """RD takes precedence over FRD and TFNI in one marking (rule 19; CAPCO register H.6)."""
    if ("RD" in aea or "RD-CNWDI" in aea) and ("FRD" in aea or "TFNI" in aea):
        kept = tuple(a for a in aea if a not in ("FRD", "TFNI"))
        token, position = b.where(AEA)
        b.problem(
            "19",
            "RD takes precedence over FRD and TFNI (CAPCO register H.6)",
            token,
            position,
            "/".join(kept),
        )
        return kept
    return aea


def _assemble(b: _Builder) -> Marking:
    def ordered(
        values: list[str], order: tuple[str, ...], rule: str, what: str, category: int
    ) -> tuple[str, ...]:
        if len(values) < 2:
            return tuple(values)
        unique = list(dict.fromkeys(values))
        canonical = sorted(unique, key=order.index)
        token, position = b.where(category)
        fix = _render_category(b, category, canonical)
        if len(unique) != len(values):
            b.problem("16", f"duplicate {what}", token, position, fix)
        if canonical != unique:
            b.problem(rule, f"{what} out of Register order", token, position, fix)
        return tuple(canonical)

    systems = [c.system for c in b.sci]
    if systems != sorted(systems):
        token, position = b.where(SCI)
        b.problem("7", "SCI control systems are sorted, numbers before letters", token, position)
    sci = merge_controls([b.sci]) if b.sci else ()
    sap = merge_controls([b.sap]) if b.sap else ()
    for found, merged, category in ((b.sci, sci, SCI), (b.sap, sap, SAP)):
        if len(merged) != len(found):
            token, position = b.where(category)
            b.problem(
                "16", "a control system is listed once, with all its compartments", token, position
            )
    return Marking(
        level=b.level if b.level is not None else Level.U,
        kind=b.kind,
        owners=b.owners,
        sci=sci,
        sap=sap,
        aea=_aea(b, ordered(b.aea, AEA_ORDER, "19", "atomic energy markings", AEA)),
        fgi=b.fgi,
        dissem=ordered(b.dissem, DISSEM_ORDER, "6", "dissemination controls", DISSEM),
        rel_to=b.rel_to if "REL" in b.dissem and not b.rel_short else (),
        display_to=b.display_to if "DISPLAY" in b.dissem else (),
        nonic=ordered(b.nonic, NONIC_ORDER, "6", "non-IC controls", NONIC),
        rel_short=b.rel_short and "REL" in b.dissem,
        cui=None if b.cui is None else tuple(b.cui),
    )


def _check(text: str, vocabulary: Vocabulary, *, vet: bool = True) -> CheckResult:
    """Check ``text``; with ``vet``, keep only the fixes that lead to a valid marking."""
    raw = text
    stripped = raw.strip()
    form: Form = "portion" if stripped.startswith("(") else "banner"
    b = _Builder(text=raw, form=form, vocabulary=vocabulary)
    if not stripped:
        b.problem("3", "empty marking", raw, 0, mechanical=False)
        return CheckResult(raw, form, None, tuple(b.problems))
    body, start = _normalise(b, stripped, len(raw) - len(raw.lstrip()))
    if not _read_categories(b, body, start):
        return CheckResult(raw, form, None, tuple(b.problems))
    marking = _assemble(b)
    _validate(b, marking)
    fixed = marking if b.fixable else None
    problems = _dedupe(b.problems)
    if vet and problems:
        closing = ")" if form == "portion" and stripped.endswith(")") else ""
        problems = _vet_fixes(raw, raw[:start] + body + closing, problems, vocabulary)
    # A marking in a non-canonical spelling (a full title) is valid; its canonical form differs.
    notices = _fouo_notice(b, fixed) if fixed is not None and "FOUO" in fixed.dissem else ()
    return CheckResult(
        raw, form, fixed, problems, repairable=b.fixable and b.silent_repair, notices=notices
    )


def _normalise(b: _Builder, stripped: str, lead: int) -> tuple[str, int]:
    """The marking's body (inside a portion's parentheses) and its position, in upper case with
    no stray spaces (rules 2-4): each repair is a problem."""
    body, start = stripped, lead
    if b.form == "portion":
        if not stripped.endswith(")"):
            b.problem(
                "4", "a portion mark is enclosed in parentheses", stripped, lead, stripped + ")"
            )
            body, start = stripped[1:], lead + 1
        else:
            body, start = stripped[1:-1], lead + 1
    if body != body.upper():
        b.problem("3", "markings are written in upper case", body, start, body.upper())
        body = body.upper()
    spaced = _SPACED.search(body) if (" /" in body or "/ " in body) else None
    if spaced:
        b.problem(
            "2",
            "no spaces around // and /",
            spaced.group(0),
            start + spaced.start(),
            spaced.group(0).strip(),
        )
        body = re.sub(r" *(//?) *", r"\1", body)
    if "  " in body:
        collapsed = re.sub(" {2,}", " ", body)
        b.problem("2", "values are separated by one space", body, start, collapsed)
        body = collapsed
    return body, start


def _read_categories(b: _Builder, body: str, start: int) -> bool:
    """Read the classification and every category after it; False when a non-U.S. marking names
    no owner and classification, so that there is nothing to read."""
    segments = _split(body, "//", start)
    if segments[0][0] == "":
        segments = segments[1:]
        if not segments or not segments[0][0]:
            b.problem(
                "3",
                "a non-U.S. marking names its owner and classification",
                body,
                start,
                mechanical=False,
            )
            return False
        _read_nonus_classification(b, *segments[0])
    elif segments[0][0] in _CUI_CONTROL:
        _read_cui(b, segments)
        segments = segments[:1]
    elif segments[0][0] not in _US_LEVELS and _is_category(segments[0][0]):
        b.problem(
            "3",
            "a marking starts with its classification",
            segments[0][0],
            segments[0][1],
            mechanical=False,
        )
        segments = [("", start), *segments]
    else:
        _read_classification(b, *segments[0])
    for seg, pos in segments[1:]:
        if not seg:
            b.problem("2", "empty category between separators", "//", pos - 2)
            continue
        _read_category(b, seg, pos)
    _check_category_order(b, body, start)
    return True


def _check_category_order(b: _Builder, body: str, start: int) -> None:
    """Rule 1: the categories in their order, each once."""
    order = [c for c, _, _ in b.categories_seen]
    if order != sorted(order):
        b.problem(
            "1",
            "categories are out of order: classification // SCI // SAP // AEA // FGI "
            "// dissemination // non-IC",
            body,
            start,
        )
    if len(set(order)) != len(order):
        b.problem("1", "a category appears twice; list its values once, divided by /", body, start)


def _fouo_notice(b: _Builder, marking: Marking) -> tuple[Problem, ...]:
    """FOUO is obsolete: DoD replaced it with CUI (DoDI 5200.48, rule 30 and P4). The notice
    proposes the CUI mark: ``(U//FOUO)`` becomes ``(CUI)``, keeping every other control."""
    kept = {*marking.dissem, "CUI"} - {"FOUO"}
    dissem = tuple(c for c in DISSEM_ORDER if c in kept)
    replacement = replace(marking, dissem=dissem)
    others = set(dissem) - {"CUI", "NF", "REL", "DISPLAY"}
    if not others and not marking.nonic and marking.kind == "us" and marking.cui is None:
        replacement = replace(replacement, cui=())
    whole = b.text.strip()
    fix = render(replacement, b.form)
    return (
        Problem(
            "30",
            "FOUO is obsolete: CUI replaces it (DoDI 5200.48)",
            whole,
            len(b.text) - len(b.text.lstrip()),
            fix,
        ),
    )


def apply_fix(text: str, problem: Problem) -> str | None:
    """``text`` with ``problem``'s fix in place of its token (None without a fix or token)."""
    if problem.fix is None:
        return None
    end = problem.position + len(problem.token)
    if text[problem.position : end].upper() != problem.token.upper():
        return None
    return text[: problem.position] + problem.fix + text[end:]


def _vet_fixes(
    raw: str, normal: str, problems: tuple[Problem, ...], vocabulary: Vocabulary
) -> tuple[Problem, ...]:
    """The problems, each fix kept only if the marking it gives is valid or mechanically
    repairable to a valid one: a suggestion never proposes an invalid marking (such as NOFORN
    beside REL TO, rule 14)."""
    out: list[Problem] = []
    for p in problems:
        if p.fix is not None:
            candidate = apply_fix(raw, p) or apply_fix(normal, p)
            if candidate is None or _check(candidate, vocabulary, vet=False).marking is None:
                p = replace(p, fix=None)
        out.append(p)
    return tuple(out)


def _dedupe(problems: list[Problem]) -> tuple[Problem, ...]:
    seen: set[tuple[str, str, int]] = set()
    out: list[Problem] = []
    for p in problems:
        key = (p.rule, p.message, p.position)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return tuple(out)


# The common shapes of a canonical marking: a U.S. classification, then SCI, dissemination and
# non-IC categories. Anything else (FGI, JOINT, SAP, AEA, CUI, EYES ONLY, stray spaces or case)
# goes straight to the full checker.
_FAST_SHAPE = re.compile(
    r"\((?P<portion>U|C|S|TS)(?P<prest>(?://[A-Z0-9][^()]*)?)\)"
    r"|(?P<banner>UNCLASSIFIED|CONFIDENTIAL|SECRET|TOP SECRET)(?P<brest>(?://[A-Z0-9].*)?)"
)
_DISSEM_RANK = {control: rank for rank, control in enumerate(DISSEM_ORDER)}
_REL_RANK, _DISPLAY_RANK = _DISSEM_RANK["REL"], _DISSEM_RANK["DISPLAY"]
_NONIC_RANK = {control: rank for rank, control in enumerate(NONIC_ORDER)}


def _fast_check(text: str, vocabulary: Vocabulary) -> CheckResult | None:
    """The result of ``_check`` for a valid marking of a common shape written canonically, or
    None to let ``_check`` decide.

    Reading a valid canonical marking needs none of the checker's repairs, suggestions or problem
    bookkeeping, which are most of its cost. This builds the ``Marking`` directly and accepts it
    only when everything the checker would object to is ruled out: known codes and controls,
    each in its Register order and once (rules 6, 7, 8, 11, 16), every semantic rule of
    ``_validate`` silent, and ``render`` giving back exactly ``text`` (rules 2-5: spelling,
    spacing, form). Whatever is not plainly valid returns None, so every invalid or unusual
    marking gets the full checker's own problems and messages.
    """
    shape = _FAST_SHAPE.fullmatch(text)
    if shape is None or "EYES" in text:
        return None
    portion_level, portion_rest, banner_level, banner_rest = shape.groups()
    form: Form
    if portion_level is not None:
        form, level, rest = "portion", LEVEL_BY_ABBREV[portion_level], portion_rest
    else:
        form, level, rest = "banner", LEVEL_BY_TITLE[banner_level], banner_rest
    marking = _fast_marking(rest, form, level, vocabulary)
    if marking is None or render(marking, form) != text:
        return None
    sci = marking.sci
    systems = tuple(c.system for c in sci) if sci else ()
    if not _passes_validate(form, level, marking.dissem, marking.nonic, systems):
        return None
    notices: tuple[Problem, ...] = ()
    if "FOUO" in marking.dissem:
        notices = _fouo_notice(_Builder(text=text, form=form, vocabulary=vocabulary), marking)
    return CheckResult(text, form, marking, (), repairable=True, notices=notices)


# The dissemination category as the fast path reads it: (controls, REL TO, DISPLAY ONLY,
# whether REL is the short form).
_FastDissem = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]
_NO_DISSEM: _FastDissem = ((), (), (), False)
_FAST_REL_DISPLAY = ("REL TO ", "DISPLAY ONLY ")


def _fast_marking(rest: str, form: Form, level: Level, vocabulary: Vocabulary) -> Marking | None:
    """The marking of ``level`` with the SCI, dissemination and non-IC categories of ``rest``,
    each read by the reader of its category, or None unless each is plainly valid, once and in
    rule 1's order (the categories of ``_classify_value``, tried in its order).

    Each category appears at most once, so each reader keeps its own Register order and
    repeats (rules 6, 7, 16) within its one segment.
    """
    sci: tuple[Control, ...] = ()
    dissem = _NO_DISSEM
    nonic: tuple[str, ...] = ()
    last = CLASSIFICATION
    for segment in rest.split("//")[1:]:
        tokens = segment.split("/")
        first = tokens[0]
        if first in _DISSEM_SPELLINGS or first == "REL" or first.startswith(_FAST_REL_DISPLAY):
            read = None if last >= DISSEM else _fast_dissem(tokens, form, vocabulary)
            if read is None:
                return None
            dissem, last = read, DISSEM
        elif first in _NONIC_SPELLINGS:
            nonic = () if last >= NONIC else _fast_nonic(tokens, form)
            if not nonic:
                return None
            last = NONIC
        elif _classify_value(first) == SCI:
            sci = () if last >= SCI else _fast_sci(tokens)
            if not sci:
                return None
            last = SCI
        else:
            return None
    controls, rel_to, display_to, rel_short = dissem
    return Marking(
        level=level,
        sci=sci,
        dissem=controls,
        rel_to=rel_to,
        display_to=display_to,
        nonic=nonic,
        rel_short=rel_short,
    )


def _fast_dissem(tokens: list[str], form: Form, vocabulary: Vocabulary) -> _FastDissem | None:
    """A dissemination category of known controls in the spelling of ``form``, each ranking
    after the one before (rules 6, 16), with REL TO (USA first, then at least one foreign code)
    and DISPLAY ONLY lists of known codes in order (rules 8, 11); else None."""
    dissem: list[str] = []
    rel_to: tuple[str, ...] = ()
    display_to: tuple[str, ...] = ()
    rel_short = False
    last_rank = -1
    for token in tokens:
        spelling = _DISSEM_SPELLINGS.get(token)
        if spelling is not None:
            mark = spelling[0] if form in spelling[1] else ""
        elif token == "REL":
            mark, rel_short = ("REL" if form == "portion" else ""), True
        elif token.startswith("REL TO "):
            codes = token[7:].split(", ")
            in_order = (
                codes[0] == "USA" and len(codes) > 1 and _codes_in_order(codes, 1, vocabulary)
            )
            mark, rel_to = "REL" if in_order else "", tuple(codes)
        elif token.startswith("DISPLAY ONLY "):
            codes = token[13:].split(", ")
            mark = "DISPLAY" if _codes_in_order(codes, 0, vocabulary) else ""
            display_to = tuple(codes)
        else:
            return None
        rank = _DISSEM_RANK.get(mark, -1)
        if rank <= last_rank:
            return None
        last_rank = rank
        dissem.append(mark)
    return tuple(dissem), rel_to, display_to, rel_short


def _fast_nonic(tokens: list[str], form: Form) -> tuple[str, ...]:
    """A non-IC category of known controls in the spelling of ``form``, in Register order and
    each once (rules 6, 16); else empty."""
    nonic: list[str] = []
    last_rank = -1
    for token in tokens:
        spelling = _NONIC_SPELLINGS.get(token)
        if spelling is None or form not in spelling[1] or _NONIC_RANK[spelling[0]] <= last_rank:
            return ()
        last_rank = _NONIC_RANK[spelling[0]]
        nonic.append(spelling[0])
    return tuple(nonic)


def _fast_sci(tokens: list[str]) -> tuple[Control, ...]:
    """An SCI category of well-formed controls, systems in order and each once (rules 2, 7,
    16); else empty. ``tokens[0]`` is known to name a control system."""
    sci: list[Control] = []
    for index, token in enumerate(tokens):
        parts = token.split("-")
        if index and _classify_value(token) != SCI:
            return ()
        if not _CONTROL_RE.match(token) or (sci and sci[-1].system >= parts[0]):
            return ()
        sci.append(_control_of(parts))
    return tuple(sci)


def _codes_in_order(codes: list[str], start: int, vocabulary: Vocabulary) -> bool:
    """Whether ``codes[start:]`` are known codes other than USA, each once, trigraphs then
    tetragraphs, alphabetical (rules 8, 11, 16): the order ``code_sort_key`` gives, checked in
    one pass instead of a sort."""
    trigraphs, tetragraphs = vocabulary.trigraphs, vocabulary.tetragraphs
    previous, in_tetragraphs = "", False
    for code in codes[start:]:
        if code in trigraphs:
            if in_tetragraphs or code <= previous or code == "USA":
                return False
        elif code in tetragraphs:
            if in_tetragraphs and code <= previous:
                return False
            in_tetragraphs = True
        else:
            return False
        previous = code
    return True


@lru_cache(maxsize=4096)
def _passes_validate(
    form: Form,
    level: Level,
    dissem: tuple[str, ...],
    nonic: tuple[str, ...],
    systems: tuple[str, ...],
) -> bool:
    """Whether ``_validate`` finds nothing wrong with a U.S. marking of the fast path's shape.

    The semantic rules (14, 15, 23, 30) read only the form, the level, the dissemination and
    non-IC controls and the SCI control systems, never the codes of a list or the compartments,
    so their verdict is shared by every marking with the same of these and is computed once.
    """
    marking = Marking(
        level=level,
        sci=tuple(Control(system) for system in systems),
        dissem=dissem,
        nonic=nonic,
    )
    b = _Builder(text="", form=form, vocabulary=default_vocabulary())
    _validate(b, marking)
    return not b.problems


@lru_cache(maxsize=131072)
def _check_cached(text: str, vocabulary: Vocabulary) -> CheckResult:
    return _fast_check(text, vocabulary) or _check(text, vocabulary)


def check(text: str, *, vocabulary: Vocabulary | None = None) -> CheckResult:
    """Every problem in ``text`` (a banner line, or a portion mark in parentheses)."""
    return _check_cached(text, vocabulary or default_vocabulary())


def parse(text: str, *, vocabulary: Vocabulary | None = None, lenient: bool = False) -> Marking:
    """The marking ``text`` stands for; ``MarkingError`` when it is not valid as written.

    With ``lenient=True`` a marking whose every problem has a mechanical fix is accepted in its
    repaired form (P6), except ``EYES ONLY``, which a person must re-mark (P5).
    """
    result = _check_cached(text, vocabulary or default_vocabulary())
    if result.marking is not None and (not result.problems or (lenient and result.repairable)):
        return result.marking
    raise MarkingError(result)
