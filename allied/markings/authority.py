"""The classification authority block of a classified document, checked as EO 13526 requires.

Every classified document carries, with its banner, who classified it and when it is to be
declassified (EO 13526 sec. 1.6(a); IC-ISM ``classifiedBy``, ``derivedFrom``,
``classificationReason``, ``declassDate``, ``declassEvent``, ``declassException``: rule 32):

* **Classified By**: the name and position (or personal identifier) of the original or
  derivative classifier (sec. 1.6(a)(2), sec. 2.1(b)(1)).
* **Derived From** for derivative classification: the source document or classification guide
  (sec. 2.1(b)(2)); or **Reason** for original classification: the sec. 1.4 category, written
  ``1.4(c)`` (sec. 1.6(a)(5)). At least one of the two.
* **Declassify On**: a date or an event (sec. 1.5(a)) no more than 25 years from the date of the
  decision (sec. 1.5(b)); later only when an exemption from automatic declassification is cited
  (sec. 3.3): ``25X1`` .. ``25X9`` with a date or event no more than 50 years out (sec. 3.3(b)),
  or ``50X1-HUM`` / ``50X2-WMD`` (a confidential human source, key design concepts of weapons of
  mass destruction), which need no date and allow up to 75 years (sec. 3.3(h)). No information
  stays classified indefinitely (sec. 1.5(d)): the EO 12958 markings ``OADR``, ``MR``, ``X1`` ..
  ``X8`` and ``25X1-human`` are obsolete and refused with their replacement.

An unclassified document carries no block. ``check_authority`` gives every problem by the field
it is about, so that a form or an API can name the field; ``authority_lines`` is the block as it
is printed on a page or in a download; ``ism_attributes`` is it in IC-ISM terms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date

from allied.markings.vocab import Level

#: Longest text kept in each free-text field (the database columns' sizes).
MAX_LENGTHS = {
    "classified_by": 200,
    "derived_from": 300,
    "classification_reason": 120,
    "declassify_event": 200,
}

#: Years after the decision within which each kind of declassification must fall.
YEARS_WITHOUT_EXEMPTION = 25
YEARS_25X = 50
YEARS_50X = 75

#: Exemptions from automatic declassification at 25 years (EO 13526 sec. 3.3(b)(1)-(9)).
EXEMPTIONS_25X = tuple(f"25X{n}" for n in range(1, 10))
#: Exemptions at 50 years that need no date (sec. 3.3(h)(1)).
EXEMPTIONS_50X = ("50X1-HUM", "50X2-WMD")
EXEMPTIONS = EXEMPTIONS_25X + EXEMPTIONS_50X

#: Markings of earlier orders that EO 13526 no longer allows, with what to write instead.
OBSOLETE = {
    "OADR": "a date or event no more than 25 years out",
    "MR": "a date or event no more than 25 years out",
    **{f"X{n}": "a date or event, or a 25X exemption with its date" for n in range(1, 9)},
    "25X1-HUMAN": "50X1-HUM",
}
_OBSOLETE_WORDS = {
    "ORIGINATING AGENCY'S DETERMINATION REQUIRED": "OADR",
    "ORIGINATING AGENCYS DETERMINATION REQUIRED": "OADR",
    "MANUAL REVIEW": "MR",
}

REASON = re.compile(r"^1\.4\([a-h]\)(, 1\.4\([a-h]\))*$")


@dataclass(frozen=True)
class Authority:
    """A classification authority block as written (every field may be blank)."""

    classified_by: str = ""
    derived_from: str = ""
    classification_reason: str = ""
    declassify_on: date | None = None
    declassify_event: str = ""
    declass_exemption: str = ""

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def normalised(self) -> Authority:
        """Spaces trimmed and collapsed; the reason and exemption in their canonical case."""
        reason = ", ".join(
            " ".join(part.split()).lower().replace("1.4 (", "1.4(")
            for part in self.classification_reason.split(",")
            if part.strip()
        )
        return Authority(
            classified_by=" ".join(self.classified_by.split()),
            derived_from=" ".join(self.derived_from.split()),
            classification_reason=reason,
            declassify_on=self.declassify_on,
            declassify_event=" ".join(self.declassify_event.split()),
            declass_exemption=self.declass_exemption.strip().upper(),
        )


Problems = dict[str, list[str]]


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _obsolete(text: str) -> str | None:
    word = " ".join(text.upper().split())
    word = _OBSOLETE_WORDS.get(word, word)
    return word if word in OBSOLETE else None


def check_authority(
    authority: Authority, level: Level, *, decided_on: date, today: date | None = None
) -> Problems:
    """Every problem of ``authority`` on a document classified ``level``, by field name.

    ``decided_on`` is the date of the classification decision (the document's creation), from
    which the 25, 50 and 75 years run; ``today`` (default ``decided_on``) is the day it is
    written: a declassification date must still lie ahead. No problem means a valid block.
    """
    block = authority.normalised()
    today = today or decided_on
    problems: Problems = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    for name, limit in MAX_LENGTHS.items():
        if len(getattr(block, name)) > limit:
            add(name, f"At most {limit} characters.")
    if level <= Level.U:
        if not block.empty:
            add(
                "classified_by",
                "An unclassified document carries no classification authority block "
                "(EO 13526 sec. 1.6): clear these fields, or mark a portion classified.",
            )
        return problems

    if not block.classified_by:
        add(
            "classified_by",
            "Classified By is required on a classified document: the name and position (or "
            "personal identifier) of who classified it (EO 13526 sec. 1.6(a)(2), 2.1(b)(1)).",
        )
    if not block.derived_from and not block.classification_reason:
        add(
            "derived_from",
            "Give Derived From (the source document or classification guide, for derivative "
            "classification, EO 13526 sec. 2.1(b)(2)) or Reason (the sec. 1.4 category, e.g. "
            "1.4(c), for original classification, sec. 1.6(a)(5)).",
        )
    if block.classification_reason and not REASON.match(block.classification_reason):
        add(
            "classification_reason",
            f"Reason {block.classification_reason!r} is not a category of EO 13526 sec. 1.4: "
            "write 1.4(a) to 1.4(h), several separated by commas, e.g. 1.4(c), 1.4(d).",
        )
    _check_declassification(block, decided_on, today, add)
    return problems


def _check_declassification(
    block: Authority, decided_on: date, today: date, add: Callable[[str, str], None]
) -> None:
    exemption = block.declass_exemption
    obsolete = _obsolete(exemption) or _obsolete(block.declassify_event)
    if obsolete:
        name = "declass_exemption" if _obsolete(exemption) else "declassify_event"
        add(
            name,
            f"{obsolete} is obsolete (EO 12958); EO 13526 sec. 1.5(d) keeps nothing classified "
            f"indefinitely: use {OBSOLETE[obsolete]}.",
        )
        return
    if exemption and exemption not in EXEMPTIONS:
        add(
            "declass_exemption",
            f"{exemption!r} is no exemption from automatic declassification (EO 13526 sec. "
            f"3.3): use one of {', '.join(EXEMPTIONS)}, or none.",
        )
        return
    day, event = block.declassify_on, block.declassify_event
    if day is not None and event:
        add(
            "declassify_event",
            "Give a declassification date or an event, not both (EO 13526 sec. 1.6(a)(4)).",
        )
    if day is None and not event and exemption not in EXEMPTIONS_50X:
        what = f"with {exemption}" if exemption else "on a classified document"
        add(
            "declassify_on",
            f"Declassify On is required {what}: a date or an event (EO 13526 sec. 1.5(a)"
            f"{', 3.3(b)' if exemption else ''}).",
        )
    if day is None:
        return
    if day <= today:
        add(
            "declassify_on",
            f"Declassify On {day.isoformat()} has passed: a classified document is declassified "
            "on a date still ahead (EO 13526 sec. 1.5(a)).",
        )
    if exemption in EXEMPTIONS_50X:
        years, rule = YEARS_50X, f"{exemption} (sec. 3.3(h))"
    elif exemption:
        years, rule = YEARS_25X, f"{exemption} (sec. 3.3(b))"
    else:
        years, rule = YEARS_WITHOUT_EXEMPTION, "no exemption (sec. 1.5(b))"
    latest = years_after(decided_on, years)
    if day > latest:
        hint = (
            "; a later date needs a 25X exemption cited with it, e.g. 25X1 (sec. 3.3)"
            if not exemption
            else ""
        )
        add(
            "declassify_on",
            f"Declassify On {day.isoformat()} is more than {years} years after the "
            f"classification decision of {decided_on.isoformat()}: with {rule} it may be no "
            f"later than {latest.isoformat()}{hint}.",
        )


def declassify_line(authority: Authority) -> str:
    """The Declassify On line as printed: ``20361231``, ``25X1, 20661231``, ``50X1-HUM``."""
    block = authority.normalised()
    parts = [block.declass_exemption] if block.declass_exemption else []
    if block.declassify_on is not None:
        parts.append(block.declassify_on.strftime("%Y%m%d"))
    if block.declassify_event:
        parts.append(block.declassify_event)
    return ", ".join(parts)


def authority_lines(authority: Authority) -> list[tuple[str, str]]:
    """The block as printed under the banner: (label, value), blank lines left out."""
    block = authority.normalised()
    lines = [
        ("Classified By", block.classified_by),
        ("Derived From", block.derived_from),
        ("Reason", block.classification_reason),
        ("Declassify On", declassify_line(block)),
    ]
    return [(label, value) for label, value in lines if value]


def ism_attributes(authority: Authority) -> dict[str, str]:
    """The block as IC-ISM attributes (rule 32), blank ones left out."""
    block = authority.normalised()
    values = {
        "classifiedBy": block.classified_by,
        "derivedFrom": block.derived_from,
        "classificationReason": block.classification_reason,
        "declassDate": "" if block.declassify_on is None else block.declassify_on.isoformat(),
        "declassEvent": block.declassify_event,
        "declassException": block.declass_exemption,
    }
    return {name: value for name, value in values.items() if value}


__all__ = [
    "EXEMPTIONS",
    "EXEMPTIONS_25X",
    "EXEMPTIONS_50X",
    "Authority",
    "Problems",
    "authority_lines",
    "check_authority",
    "declassify_line",
    "ism_attributes",
    "years_after",
]
