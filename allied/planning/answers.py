"""Partners answer the roles a plan gives them; the plan's owner marks it validated by partners.

The pages and the API call these functions, so both check and audit the same way:

* only a planner or liaison officer of the role's nation answers it (``may_answer``); the answer
  is a new ``RoleAnswer`` row marked as the role it answers (so the nation that answers reads it
  back), written with its audit entry; the latest answer of a (task, nation) counts;
* a plan is marked validated by partners only by a planner of its owner nation, and only when
  every partner role on it the planner sees rests on an acceptance
  (``allied.planning.rules.answers.validation``); otherwise nothing is written and the refusal
  names the roles missing one.

Input that breaks a rule raises ``ValidationError`` keyed by field (a 400 on pages and the API).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from allied.core import audit
from allied.core.access import Access
from allied.core.edit import claim_version
from allied.core.models.marked import save_visible
from allied.core.models.principals import Principal, Role
from allied.planning import models as m
from allied.planning.data import Loaded
from allied.planning.rules import answers as rules


def may_answer(principal: Principal, nation: str) -> bool:
    """A planner or liaison officer of ``nation`` answers its roles."""
    return principal.nation_id == nation and (
        principal.has_role(Role.PLANNER) or principal.has_role(Role.LIAISON_OFFICER)
    )


#: Declared on the pages and endpoints that answer roles; whose role is a rule of the record.
ANSWERS_ROLES = Access(
    allows=lambda p: p.has_role(Role.PLANNER) or p.has_role(Role.LIAISON_OFFICER),
    reason="Only planners and liaison officers answer their nation's roles.",
)


def statuses(loaded: Loaded, plan: m.Contingency) -> list[rules.RoleStatus]:
    """The state of each partner role on ``plan`` the viewer sees, since when."""
    roles: dict[tuple[int, str], rules.Role] = {}
    for a in loaded.assignments.values():
        task = loaded.tasks[a.task_id]
        if task.contingency_id != plan.pk:
            continue
        held = roles.get((task.pk, a.nation_id))
        if held is None or a.assigned_at < held.since:
            roles[(task.pk, a.nation_id)] = rules.Role(
                task.pk, a.nation_id, a.assigned_at, task.name
            )
    return rules.role_states(roles.values(), loaded.data.answers)


def answer_role(user: Any, viewer: Any, role: m.Assignment, data: dict[str, Any]) -> m.RoleAnswer:
    """Record the answer of ``role``'s nation (the caller checked ``may_answer``)."""
    errors = rules.answer_errors(
        str(data.get("answer", "")), str(data.get("conditions", "")), str(data.get("reason", ""))
    )
    if errors:
        raise ValidationError(errors)
    answer = data["answer"]
    row = m.RoleAnswer(
        task_id=role.task_id,
        nation_id=role.nation_id,
        answer=answer,
        conditions=data.get("conditions", "").strip() if answer == "conditional" else "",
        reason=data.get("reason", "").strip() if answer == "declined" else "",
        answered_by=user,
        marking=role.marking,
    )
    with transaction.atomic():
        save_visible(row, viewer)
        audit.record(
            "decision",
            actor=user,
            obj=row,
            detail={"what": f"answered the role: {answer}", "assignment": role.pk},
        )
    return row


def validate_plan(
    user: Any, viewer: Any, plan: m.Contingency, version: int, loaded: Loaded
) -> m.Contingency:
    """Mark ``plan`` validated by partners, if every partner role rests on an acceptance."""
    checked = rules.validation(statuses(loaded, plan))
    if not checked.validated:
        raise ValidationError({"validated": checked.explain()})
    with transaction.atomic():
        claim_version(
            m.Contingency.objects.visible_to(viewer),
            plan.pk,
            version,
            what="plan",
            validated_at=timezone.now(),
            validated_by=user,
        )
        audit.record(
            "decision",
            actor=user,
            obj=plan,
            detail={"what": "marked the plan validated by partners"},
        )
    return m.Contingency.objects.visible_to(viewer).get(pk=plan.pk)
