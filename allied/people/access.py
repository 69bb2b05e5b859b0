"""Who may use the people pages, and which partners they look at.

People and ties serve U.S. staff (every U.S. role: planners, analysts, case managers, the working
group and administrators all work with partners' people) and partners' liaison officers, whose
job is the relationship. Any other foreign account (a purchaser, say) is refused with 403: a
refusal that says nothing about any record, since it is decided before any record is read.

What each person then sees is decided by markings alone (``visible_to``), narrowed for a foreign
viewer to its own nation's pairs, coverage, languages and network (``ties.partner_scope``).
"""

from __future__ import annotations

from typing import Any

from allied.core.access import Access
from allied.core.models.principals import Principal, Role

REFUSED = "People and ties are open to U.S. staff and to partners' liaison officers."


def may_use(principal: Principal) -> bool:
    return principal.is_us or principal.has_role(Role.LIAISON_OFFICER)


#: The rule as the pages declare it (``allied.core.access``), read by the navigation too.
PEOPLE = Access(allows=may_use, reason=REFUSED)

WRITERS_REFUSED = (
    "People records are entered by U.S. planners, working-group members and administrators."
)


def may_write(principal: Principal) -> bool:
    """Who enters officials, billets, postings, crisis pairs and language results.

    The U.S. staff who run the relationships: planners (who own the crisis pairs of their
    plans), the working group (which tracks every partner's ties) and administrators (who keep
    the reference records). A partner's liaison officer reads its own nation's people but does
    not write them: a billet, a posting or a pair is U.S. bookkeeping of who works with whom.
    """
    return principal.is_us and any(
        principal.has_role(role) for role in (Role.PLANNER, Role.WORKING_GROUP, Role.ADMINISTRATOR)
    )


#: Who may write people records, declared on every page and endpoint that writes them.
WRITERS = Access(allows=may_write, reason=WRITERS_REFUSED)


def may_write_people(request: Any) -> bool:
    """Whether the signed-in person may write people records (to offer the links)."""
    from allied.core.models.principals import principal_of

    principal = principal_of(request.user, as_cached=True)
    return principal is not None and may_write(principal)
