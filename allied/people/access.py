"""Who may use the people pages, and which partners they look at.

People and ties serve U.S. staff (every U.S. role: planners, analysts, case managers, the working
group and administrators all work with partners' people) and partners' liaison officers, whose
job is the relationship. Any other foreign account (a purchaser, say) is refused with 403: a
refusal that says nothing about any record, since it is decided before any record is read.

What each person then sees is decided by markings alone (``visible_to``), narrowed for a foreign
viewer to its own nation's pairs, coverage, languages and network (``ties.partner_scope``).
"""

from __future__ import annotations

from allied.core.access import Access
from allied.core.models.principals import Principal, Role

REFUSED = "People and ties are open to U.S. staff and to partners' liaison officers."


def may_use(principal: Principal) -> bool:
    return principal.is_us or principal.has_role(Role.LIAISON_OFFICER)


#: The rule as the pages declare it (``allied.core.access``), read by the navigation too.
PEOPLE = Access(allows=may_use, reason=REFUSED)
