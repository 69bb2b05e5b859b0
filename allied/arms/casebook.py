"""Importing a case book: many FMS cases at once, from JSON or CSV, all or nothing.

A case book is a list of cases, one per row: JSON (a list of objects, or ``{"cases": [...]}``) or
CSV with a header line naming the fields. Every row is checked first; any problem in any row
stops the import, and every problem is reported with its row (counted from 1, the first case) and
its field, so a file can be fixed in one pass. A valid book is written in one transaction, with
each case's current stage record, re-read through the importer's restricted queryset and audited
as one entry; if anything fails after the first row is written, nothing is kept.

Only U.S. case managers import, and only cases whose marking they could read themselves.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.db import transaction

from allied.arms.cases import decision_for
from allied.arms.models import AOD_CHOICES, STAGE_CHOICES, Case, StageRecord
from allied.core import audit, visibility
from allied.core.forms import not_after_today
from allied.core.models import Nation, StoredMarking, system_access
from allied.core.models.marked import NotVisibleAfterWrite
from allied.core.vocabulary import explain
from allied.markings import render
from allied.markings.access import Viewer, decide

#: The most cases one book may hold; larger books are split by the sender.
MAX_ROWS = 20_000
#: The most problems listed; the count says how many there were in all.
MAX_PROBLEMS = 200


class CaseRow(forms.Form):
    """One row of a case book; the field names are the columns."""

    identifier = forms.CharField(max_length=20)
    partner = forms.CharField(min_length=3, max_length=3, help_text="ISO 3166-1 alpha-3")
    title = forms.CharField(max_length=200)
    capability = forms.CharField(max_length=200, required=False)
    implementing_agency = forms.CharField(max_length=40)
    aod_group = forms.ChoiceField(choices=AOD_CHOICES, required=False)
    stage = forms.ChoiceField(choices=STAGE_CHOICES)
    # The days a stage was entered and a letter of request received are facts the importing case
    # manager records; the queue ages the case by them, so neither may lie ahead.
    stage_entered = forms.DateField(input_formats=["%Y-%m-%d"], validators=[not_after_today])
    stage_owner = forms.CharField(max_length=80, required=False)
    lor_received = forms.DateField(
        input_formats=["%Y-%m-%d"], required=False, validators=[not_after_today]
    )
    lor_reference = forms.CharField(max_length=60, required=False)
    anticipated_offer = forms.DateField(input_formats=["%Y-%m-%d"], required=False)
    mde_value = forms.IntegerField(min_value=0, required=False)
    total_value = forms.IntegerField(min_value=0, required=False)
    design_construction_value = forms.IntegerField(min_value=0, required=False)
    usml_category = forms.CharField(max_length=10, required=False)
    emergency = forms.BooleanField(required=False)
    marking = forms.CharField(help_text="The case's banner marking, e.g. SECRET//REL TO USA, PHL")


#: The columns of a case book, in order.
FIELDS = tuple(CaseRow.base_fields)
#: Where a CSV row's values beyond its header are reported.
EXTRA = "(beyond the header)"


@dataclass(frozen=True)
class Problem:
    row: int  # 1 for the first case; 0 for the book as a whole
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = f"row {self.row}, {self.field}" if self.row else self.field
        return f"{where}: {self.message}"


class CaseBookError(ValueError):
    """The book was refused; ``problems`` lists every problem found (at most MAX_PROBLEMS)."""

    def __init__(self, problems: Sequence[Problem], total: int | None = None) -> None:
        self.problems = list(problems)[:MAX_PROBLEMS]
        self.total = len(problems) if total is None else total
        super().__init__(f"nothing was imported: {self.total} problem(s)")

    def as_dict(self) -> dict[str, Any]:
        return {
            "detail": str(self)
            + (f", the first {MAX_PROBLEMS} listed" if self.total > len(self.problems) else ""),
            "errors": [p.as_dict() for p in self.problems],
        }


# --- reading a book ---------------------------------------------------------------------------


def rows_of(data: Any) -> list[dict[str, Any]]:
    """The rows of a parsed JSON book (a list, or an object with ``cases``)."""
    rows = data.get("cases") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise CaseBookError([Problem(0, "cases", "a case book is a list of cases")])
    return rows


def parse_text(text: str) -> list[dict[str, Any]]:
    """The rows of a book given as text: JSON if it starts with ``[`` or ``{``, else CSV."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("[", "{"):
        try:
            return rows_of(json.loads(stripped))
        except ValueError as error:
            raise CaseBookError([Problem(0, "file", f"not valid JSON: {error}")]) from None
    reader = csv.DictReader(io.StringIO(stripped))
    header = reader.fieldnames or []
    unknown = [name for name in header if name not in FIELDS]
    if not header or unknown:
        what = f"unknown columns {', '.join(unknown)}" if unknown else "no header line"
        raise CaseBookError([Problem(0, "file", f"CSV with {what}; columns: {', '.join(FIELDS)}")])
    try:
        return [
            {(EXTRA if k is None else k): v for k, v in row.items() if v not in ("", None)}
            for row in reader
        ]
    except csv.Error as error:
        raise CaseBookError([Problem(0, "file", f"not valid CSV: {error}")]) from None


# --- checking and writing ---------------------------------------------------------------------


def _check_rows(rows: list[Any], viewer: Viewer) -> tuple[list[Case], list[Problem]]:
    problems: list[Problem] = []
    cases: list[Case] = []
    nations = set(Nation.objects.values_list("iso3", flat=True))
    markings: dict[str, StoredMarking | str] = {}
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems.append(Problem(number, "row", "each case is an object of fields"))
            continue
        unknown = sorted(str(name) for name in set(row) - set(FIELDS))
        for name in unknown:
            why = "more values than the header has columns" if name == EXTRA else "unknown field"
            problems.append(Problem(number, name, f"{why}; fields: {', '.join(FIELDS)}"))
        data, errors = _clean(row)
        if errors:
            problems.extend(Problem(number, name, message) for name, message in errors)
            continue
        partner = data["partner"].upper()
        if partner not in nations:
            problems.append(Problem(number, "partner", f"unknown nation {partner}"))
        identifier = data["identifier"].strip()
        if identifier in seen:
            problems.append(
                Problem(number, "identifier", f"{identifier} is also row {seen[identifier]}")
            )
        seen.setdefault(identifier, number)
        stored = markings.get(data["marking"])
        if stored is None:
            stored = markings[data["marking"]] = _marking(data["marking"], viewer)
        if isinstance(stored, str):
            problems.append(Problem(number, "marking", stored))
            continue
        if problems:
            continue  # keep checking, but build no more cases
        case = Case(
            identifier=identifier,
            partner_id=partner,
            title=data["title"],
            capability=data["capability"],
            implementing_agency=data["implementing_agency"],
            aod_group=data["aod_group"] or "B",
            stage=data["stage"],
            stage_entered=data["stage_entered"],
            stage_owner=data["stage_owner"],
            lor_received=data["lor_received"],
            lor_reference=data["lor_reference"],
            anticipated_offer=data["anticipated_offer"],
            mde_value=data["mde_value"] or 0,
            total_value=data["total_value"] or 0,
            design_construction_value=data["design_construction_value"] or 0,
            usml_category=data["usml_category"],
            emergency=data["emergency"],
            marking=stored,
            fictional=False,
        )
        decision = decision_for(case)
        if decision is None:
            problems.append(
                Problem(
                    number,
                    "usml_category",
                    "the sale cannot be judged: check the values and the USML category",
                )
            )
            continue
        case.notification_required = decision.required
        case.review_days = decision.review_days
        cases.append(case)
    return cases, problems


def _clean(row: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """One row's values cleaned by the fields of :class:`CaseRow`, and its problems.

    The fields are used directly: a form instance per row would deep-copy every field, which
    costs more than the rest of an import together.
    """
    data: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for name, field in CaseRow.base_fields.items():
        value = row.get(name)
        if isinstance(value, list | dict):
            errors.append((name, "give one value, not a list or an object"))
            continue
        if isinstance(value, int | float) and not isinstance(
            field, forms.IntegerField | forms.BooleanField
        ):
            value = str(value)  # JSON numbers where text is expected: checked as text
        try:
            data[name] = field.clean(value)
        except forms.ValidationError as error:
            errors.extend((name, message) for message in error.messages)
    return data, errors


def _marking(text: str, viewer: Viewer) -> StoredMarking | str:
    """The stored marking for ``text``, or why it cannot mark a case the importer writes."""
    explained = explain(text)
    marking = explained.marking
    if marking is None:
        return "; ".join(explained.problems)
    if not decide(viewer, marking).view:
        return f"you could not read a case marked {render(marking)}, so you cannot import one"
    return StoredMarking.objects.intern(marking)


def _taken(identifiers: list[str]) -> set[str]:
    # The same answer whoever may see the case that holds the identifier: it is taken.
    with system_access("arms case book: identifiers already taken"):
        return set(
            Case.objects.filter(identifier__in=identifiers).values_list("identifier", flat=True)
        )


def import_cases(
    rows: list[Any], *, user: Any, viewer: Viewer, on: date | None = None
) -> list[Case]:
    """Check every row, then write every case with its stage record in one transaction."""
    if not rows:
        raise CaseBookError([Problem(0, "cases", "the book holds no case")])
    if len(rows) > MAX_ROWS:
        raise CaseBookError([Problem(0, "cases", f"at most {MAX_ROWS} cases per book")])
    cases, problems = _check_rows(rows, viewer)
    if not problems:
        taken = _taken([c.identifier for c in cases])
        problems = [
            Problem(n, "identifier", f"{c.identifier} is already taken")
            for n, c in enumerate(cases, start=1)
            if c.identifier in taken
        ]
    if problems:
        raise CaseBookError(problems)
    # A case its importer could not read back raises ``NotVisibleAfterWrite`` with everything
    # rolled back: the page (``explained_on``) and the API's exception handler explain it.
    return _write(cases, user, viewer, on or date.today())


def _write(cases: list[Case], user: Any, viewer: Viewer, today: date) -> list[Case]:
    with transaction.atomic():
        visibility.bind_viewer(viewer, today)
        Case.objects.bulk_create(cases, batch_size=1000)
        StageRecord.objects.bulk_create(
            [
                StageRecord(
                    case=case,
                    stage=case.stage,
                    entered=case.stage_entered,
                    owner=case.stage_owner or case.implementing_agency,
                    marking=case.marking,
                )
                for case in cases
            ],
            batch_size=1000,
        )
        pks = [case.pk for case in cases]
        # bulk_create sends no post_save: the working group's queue table is kept here.
        from allied.core.queue import rows_written

        rows_written(Case, pks)
        if Case.objects.visible_to(viewer, on=today).filter(pk__in=pks).count() != len(pks):
            raise NotVisibleAfterWrite("a case would not be visible to its author")
        by_marking: dict[str, list[str]] = {}
        for case in cases:
            by_marking.setdefault(str(case.marking), []).append(case.identifier)
        audit.record(
            "write",
            actor=user,
            object_type="arms.case",
            object_id=f"case book of {len(cases)}",
            detail={"created": True, "objects_by_marking": by_marking},
        )
    return cases
