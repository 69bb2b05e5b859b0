"""Collection divided between partners: offers to collect, their answers, the coverage matrix.

A nation offers to collect a requirement of another nation (a need, or the other side of an
overlap) for a window; an officer of that nation accepts or declines, once. The coverage matrix
(``allied.intel.rules.coverage``) is built from the requirements and agreements the viewer may
see, and from nothing else. Pages and the API call these functions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from allied.core import audit
from allied.core.access import Access, for_roles
from allied.core.edit import claim_version
from allied.core.models.principals import Principal, Role
from allied.core.restricted import viewer_of
from allied.intel.models import (
    AgreementStatus,
    CollectionAgreement,
    CollectionRequirement,
    RequirementKind,
)
from allied.intel.rules.coverage import Item, Matrix, Split, coverage

#: Who may offer to collect for a partner, and who may answer an offer: liaison officers and
#: authors (of the nation concerned, checked on the record).
OFFICERS = for_roles(Role.LIAISON_OFFICER, Role.AUTHOR)
ANSWERS = {"accept": AgreementStatus.ACCEPTED, "decline": AgreementStatus.DECLINED}


def relying_officer(agreement: CollectionAgreement) -> Access:
    """An officer of the nation the offer was made to: the only one who may answer it."""
    return Access(
        allows=lambda principal: principal.nation_id == agreement.relying_id,
        reason=f"Only an officer of {agreement.relying_id} answers this offer.",
    )


def default_marking(requirement: CollectionRequirement, collector: str) -> str:
    """The requirement's classification, releasable to both nations (the offer's default)."""
    level = requirement.marking.text.split("//")[0]
    nations = sorted({requirement.nation_id, collector} - {"USA"})
    if not nations:
        return f"{level}//NOFORN"
    return f"{level}//REL TO USA, {', '.join(nations)}"


def offer_problem(principal: Principal, requirement: CollectionRequirement) -> str:
    """Why the principal may not offer to collect ``requirement`` ('' when it may)."""
    if requirement.nation_id == principal.nation_id:
        return "This requirement is your own nation's: offer to collect for another nation."
    return ""


def new_offer(request: Any, requirement: CollectionRequirement, data: dict[str, Any]) -> Any:
    """An unsaved offer by the signed-in person's nation to collect ``requirement``."""
    principal = request.user.principal
    return CollectionAgreement(
        requirement=requirement,
        collector_id=principal.nation_id,
        relying_id=requirement.nation_id,
        topic=requirement.topic,
        region=requirement.region,
        starts=data["starts"],
        ends=data["ends"],
        terms=data["terms"],
        offered_by=request.user,
    )


def answer(request: Any, agreement: CollectionAgreement, decision: str, note: str,
           opened: int) -> CollectionAgreement:  # fmt: skip
    """Accept or decline an offer, once, from the version the officer opened (``StaleVersion``
    when another answer came first); audited as a decision. Bad input is a ``ValidationError``
    naming the field, and nothing is written."""
    if decision not in ANSWERS:
        raise ValidationError({"decision": ["Choose accept or decline."]})
    if agreement.status != AgreementStatus.OFFERED:
        raise ValidationError(
            {"decision": [f"This offer was already {agreement.status}; nothing was saved."]}
        )
    rows = CollectionAgreement.objects.visible_to(viewer_of(request))
    with transaction.atomic():
        claim_version(
            rows, agreement.pk, opened, what="offer",
            status=ANSWERS[decision], answered_by=request.user,
            answered_at=timezone.now(), answer_note=note.strip(),
        )  # fmt: skip
        audit.record(
            "decision",
            actor=request.user,
            obj=agreement,
            detail={"what": f"{decision}ed the offer to collect", "note": note.strip()},
        )
    return rows.select_related("marking").get(pk=agreement.pk)


# --- the matrix -----------------------------------------------------------------------------


def _item(row: CollectionRequirement) -> Item:
    return Item(row.pk, row.nation_id, row.topic, row.region, row.starts, row.ends)


def _split(row: CollectionAgreement) -> Split:
    return Split(
        row.pk, row.collector_id, row.topic, row.region, row.starts, row.ends,
        relying=row.relying_id, accepted=row.status == AgreementStatus.ACCEPTED,
    )  # fmt: skip


def visible_coverage(request: Any, day: date) -> tuple[Matrix, list[Any]]:
    """The matrix as of ``day`` from the requirements and accepted agreements the signed-in
    person may see, and those rows (to be recorded as shown)."""
    viewer = viewer_of(request)
    requirements = list(
        CollectionRequirement.objects.visible_to(viewer)
        .filter(starts__lte=day, ends__gte=day)
        .select_related("marking")
    )
    agreements = list(
        CollectionAgreement.objects.visible_to(viewer)
        .filter(status=AgreementStatus.ACCEPTED, starts__lte=day)
        .select_related("marking")
    )
    matrix = coverage(
        [_item(r) for r in requirements if r.kind == RequirementKind.NEED],
        [_item(r) for r in requirements if r.kind == RequirementKind.COLLECT],
        [_split(a) for a in agreements],
        day,
    )
    return matrix, [*requirements, *agreements]


__all__ = [
    "ANSWERS",
    "OFFICERS",
    "answer",
    "default_marking",
    "new_offer",
    "offer_problem",
    "relying_officer",
    "visible_coverage",
]
