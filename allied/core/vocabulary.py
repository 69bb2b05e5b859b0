"""Feed the registry's community codes to the markings engine (P7: opaque codes).

The pure core knows ISO 3166 and the register's tetragraphs; the project's own communities (QUAD,
AUKUS, MILFW, the bilateral alliances) live in the registry. ``ensure()`` hands them to the core
at most every few seconds, and at once whenever a community is saved or deleted.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Literal

from allied.markings import CheckResult, Marking, MarkingError, use_communities
from allied.markings import check as markings_check

REFRESH_SECONDS = 5.0
_lock = threading.Lock()
_loaded_at = [-1e9]


def refresh() -> None:
    from allied.core.models.registry import Community

    codes = list(Community.objects.values_list("code", flat=True))
    with _lock:
        use_communities(codes)
        _loaded_at[0] = time.monotonic()


def ensure() -> None:
    """Make sure the engine knows the registry's communities (cheap when fresh)."""
    if time.monotonic() - _loaded_at[0] >= REFRESH_SECONDS:
        refresh()


def check(text: str) -> CheckResult:
    """``allied.markings.check`` with the registry's communities, refreshed once if the marking
    names a code the engine did not know (a community added moments ago by another process)."""
    ensure()
    result = markings_check(text)
    if not result.valid:
        refresh()
        result = markings_check(text)
    return result


def parse(text: str) -> Marking:
    """``allied.markings.parse`` with the registry's communities (see ``check``)."""
    result = check(text)
    if result.valid and result.marking is not None:
        return result.marking
    raise MarkingError(result)


@dataclass(frozen=True)
class Explained:
    """A marking as a person typed it: the marking when it may be used, else every problem in
    words (each with its rule and fix, then the canonical form when the engine found one)."""

    text: str
    marking: Marking | None
    problems: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return self.marking is not None


#: What each form's refusal says when the other form was typed (rule 4: a portion mark goes in
#: parentheses with the abbreviations; a banner does not).
BANNER_NOT_PORTION = "Give the banner form here, without parentheses."
EMPTY = {
    "banner": "Give the marking, e.g. SECRET//REL TO USA, JPN.",
    "portion": "Give the portion mark, e.g. (S//REL TO USA, JPN).",
}


def explain(
    text: str, *, form: Literal["banner", "portion"] = "banner", empty: str = ""
) -> Explained:
    """Check and explain one marking typed by a person: the one check every form and serializer
    uses, so a page and the API of the same record accept and refuse the same texts alike.

    ``form`` is the form the field holds; the other form is refused with the reason. ``empty``
    is the words for a blank field (the field's own, where it says what the marking covers).
    """
    text = (text or "").strip()
    if not text:
        return Explained(text, None, (empty or EMPTY[form],))
    result = check(text)
    if form == "banner" and result.form == "portion":
        return Explained(text, None, (BANNER_NOT_PORTION,))
    if form == "portion" and result.form != "portion":
        hint = ""
        if result.marking is not None:
            hint = f"; did you mean {result.marking.render('portion')}?"
        return Explained(
            text,
            None,
            (f"A portion mark goes in parentheses and uses the abbreviations (rule 4){hint}",),
        )
    if not result.valid or result.marking is None:
        problems = [str(p) for p in result.problems] or ["This is not a valid marking."]
        if result.canonical:
            problems.append(f"canonical form: {result.canonical}")
        return Explained(text, None, tuple(problems))
    return Explained(text, result.marking, ())
