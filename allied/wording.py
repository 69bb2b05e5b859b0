"""How alike two short texts are, in plain Python (no Django): the words a topic, region or
description is compared by, shared by the collection-requirement overlaps
(``allied.intel.rules.overlap``) and the guidance conflicts (``allied.working_group.rules``),
which sit on different floors and so may not import each other.
"""

from __future__ import annotations

import re

__all__ = ["STOP_WORDS", "jaccard", "normalise", "similarity", "words"]

_STOP_WORD_TEXT = """
    a about above after against all also an and any are around as at be been before being
    between both but by can could did do does during each for from further had has have
    having he her here hers him his how i if in into is it its itself just may me more most
    my near no nor not of off on once only or other our ours out over own per same she
    should so some such than that the their theirs them then there these they this those
    through to too under until up very was we were what when where which while who whom why
    will with within without would you your
"""
STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())
_WORD = re.compile(r"[^\W_]+")


def normalise(text: str) -> str:
    """Lower case, words only, single spaces: how two topics or regions are compared."""
    return " ".join(_WORD.findall(text.casefold()))


def _fold(word: str) -> str:
    # Fold the commonest plural forms so "vessels" meets "vessel"; nothing cleverer is needed.
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> frozenset[str]:
    """The set of meaningful words of ``text``: lower case, stop words left out, plurals folded."""
    return frozenset(_fold(w) for w in _WORD.findall(text.casefold()) if w not in STOP_WORDS)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a & b| / |a | b|, and 0 when either set is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def similarity(a_key: str, b_key: str, a_words: frozenset[str], b_words: frozenset[str]) -> float:
    """1 for equal normalised texts, else the Jaccard similarity of their word sets."""
    return 1.0 if a_key == b_key else jaccard(a_words, b_words)
