"""ILR proficiency levels and the languages partners work in (pure; no framework).

The Interagency Language Roundtable (ILR) scale runs from 0 (no proficiency) to 5 (functionally
native), with a "plus" between each base level and the next (0+, 1+, 2+, 3+, 4+). A level is
stored as a whole number of half steps: ``2 * base + plus`` (so 0..10; "2+" is 5), which keeps
the order of the scale and lets "at least 2" be ``>= 4``.

Source of the scale: the ILR skill level descriptions (govtilr.org, "ILR Skill Level
Descriptions"), which define 0..5 with plus levels 0+..4+ for listening, reading and speaking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_STEP = 0
MAX_STEP = 10
#: Level 2 ("limited working proficiency"): the level from which an official can do routine
#: work in the language.
WORKING = 4

_LEVEL = re.compile(r"^\s*([0-5])\s*(\+?)\s*$")

NAMES: dict[int, str] = {
    0: "No proficiency",
    2: "Elementary",
    4: "Limited working",
    6: "General professional",
    8: "Advanced professional",
    10: "Functionally native",
}


class LevelError(ValueError):
    """Text that is not an ILR level."""


def parse_level(text: str) -> int:
    """The half steps of an ILR level written as ``"0"``..``"5"`` or ``"0+"``..``"4+"``."""
    match = _LEVEL.match(text)
    if match is None:
        raise LevelError(f"{text!r} is not an ILR level: use 0 to 5, with + from 0+ to 4+.")
    base, plus = int(match.group(1)), bool(match.group(2))
    if base == 5 and plus:
        raise LevelError("There is no 5+ on the ILR scale: 5 is the top.")
    return 2 * base + int(plus)


def format_level(step: int) -> str:
    """The written form of a level in half steps (``5`` is ``"2+"``)."""
    if not MIN_STEP <= step <= MAX_STEP:
        raise LevelError(f"{step} is outside the ILR scale (0..10 half steps).")
    base, plus = divmod(step, 2)
    return f"{base}+" if plus else str(base)


def level_name(step: int) -> str:
    """The ILR name of the base level (a plus level is named after its base, with "plus")."""
    base = step - step % 2
    name = NAMES[base]
    return f"{name}, plus" if step % 2 else name


LEVEL_CHOICES: list[tuple[int, str]] = [
    (step, f"{format_level(step)} ({level_name(step)})") for step in range(MIN_STEP, MAX_STEP + 1)
]


@dataclass(frozen=True)
class Proficiency:
    """An official's tested levels in one language, in half steps."""

    language: str
    listening: int
    reading: int
    speaking: int

    @property
    def working_level(self) -> int:
        """The level an official can work at face to face: the lower of listening and speaking."""
        return min(self.listening, self.speaking)

    def __str__(self) -> str:
        return (
            f"{self.language} L{format_level(self.listening)} R{format_level(self.reading)} "
            f"S{format_level(self.speaking)}"
        )


#: Languages by ISO 639-3 code, with the names shown on pages.
LANGUAGES: dict[str, str] = {
    "eng": "English",
    "jpn": "Japanese",
    "kor": "Korean",
    "fil": "Filipino",
    "hin": "Hindi",
    "cmn": "Mandarin Chinese",
    "vie": "Vietnamese",
    "ind": "Indonesian",
    "tha": "Thai",
    "msa": "Malay",
    "fra": "French",
    "spa": "Spanish",
    "rus": "Russian",
}

#: The language a U.S. official needs to work with each partner in its own language. English-
#: speaking partners need none (``eng``): their coverage is shown as "English" and not counted.
PARTNER_LANGUAGE: dict[str, str] = {
    "JPN": "jpn",
    "KOR": "kor",
    "PHL": "fil",
    "IND": "hin",
    "TWN": "cmn",
    "VNM": "vie",
    "IDN": "ind",
    "THA": "tha",
    "MYS": "msa",
    "AUS": "eng",
    "GBR": "eng",
    "NZL": "eng",
    "CAN": "eng",
    "SGP": "eng",
    "FRA": "fra",
}


def partner_language(nation: str) -> str | None:
    """The working language of ``nation``, or ``None`` when the table does not know it."""
    return PARTNER_LANGUAGE.get(nation)
