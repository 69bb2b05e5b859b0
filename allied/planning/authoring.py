"""Writing plans: plans, phases, tasks, manual assignments, and decisions on planning requests.

The pages and the API call the same functions, so both check the same things and audit the same
way:

* a plan belongs to one nation (``owner``); only that nation's planners edit it, add its phases
  and tasks and assign its tasks to partners (the U.S. included). A U.S. plan is written by U.S.
  planners; a partner may keep a plan of its own in the same tool;
* every write goes through ``save_visible`` (nobody writes what they could not read back) and its
  audit entry commits with it, or neither does;
* an edit names the version it started from; if the row changed meanwhile nothing is saved and
  ``allied.core.edit.StaleVersion`` says so (``claim_version``: compare-and-set in one
  ``UPDATE``, safe with many editors at once);
* a planning request is decided once: accepting or declining moves it out of ``open`` in one
  conditional ``UPDATE``, so two deciders cannot both decide it.

Input that breaks a rule raises ``django.core.exceptions.ValidationError`` keyed by field, which
the pages show on the form and the API answers as a 400.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from allied.core import audit, vocabulary
from allied.core.access import Access
from allied.core.edit import claim_version, not_found
from allied.core.models import Nation
from allied.core.models.marked import MarkedModel, save_visible
from allied.core.models.principals import Principal, Role
from allied.markings import Marking
from allied.markings import render as render_marking
from allied.markings.rollup import rollup_portions
from allied.planning import models as m
from allied.planning.data import Loaded, load, nation_viewer, role_parents
from allied.planning.rules.roles import RoleMarking, role_marking

# --- who may write ------------------------------------------------------------------------------


def may_edit(principal: Principal, plan: m.Contingency) -> bool:
    """A planner of the nation that owns the plan."""
    return principal.has_role(Role.PLANNER) and principal.nation_id == plan.owner_id


def may_create_plan(principal: Principal) -> bool:
    return principal.has_role(Role.PLANNER)


def may_decide(principal: Principal) -> bool:
    """U.S. planners and the working group decide partners' planning requests."""
    return principal.is_us and (
        principal.has_role(Role.PLANNER)
        or principal.has_role(Role.WORKING_GROUP)
        or principal.has_role(Role.ADMINISTRATOR)
    )


#: The role rules, declared on the pages and viewsets that write (``allied.core.access``) and
#: checked before any handler runs: 403 with the reason. Which plan a planner may write to is a
#: rule of the record (``may_edit``), checked in the handler.
STARTS_PLANS = Access(allows=may_create_plan, reason="Only planners start plans.")
RECORDS_ASSUMPTIONS = Access(allows=may_create_plan, reason="Only planners record assumptions.")
DECIDES_REQUESTS = Access(
    allows=may_decide, reason="U.S. planners and the working group decide planning requests."
)


# --- checks shared by pages and API -------------------------------------------------------------


def _window(starts: date, ends: date, *, within: tuple[date, date] | None, what: str) -> None:
    if ends < starts:
        raise ValidationError({"ends": "The window must end on or after the day it starts."})
    if within is not None and (starts < within[0] or ends > within[1]):
        raise ValidationError(
            {
                "starts": f"The {what} must fall within the plan's window, "
                f"{within[0]:%Y-%m-%d} to {within[1]:%Y-%m-%d}."
            }
        )


def nation_code(code: str | None, field: str) -> str | None:
    if code in (None, ""):
        return None
    code = str(code).upper()
    if not Nation.objects.filter(pk=code).exists():
        raise ValidationError({field: f"No nation has the code {code!r}."})
    return code


def write(obj: MarkedModel, user: Any, viewer: Any, detail: dict[str, Any]) -> MarkedModel:
    with transaction.atomic():
        save_visible(obj, viewer)
        audit.record("write", actor=user, obj=obj, detail=detail)
    return obj


# --- plans --------------------------------------------------------------------------------------


PLAN_FIELDS = ("name", "contingency_type", "description", "starts", "ends")
TASK_FIELDS = ("name", "capability_type", "quantity", "starts", "ends", "location", "priority")


def create_plan(
    user: Any, principal: Principal, viewer: Any, data: dict[str, Any]
) -> m.Contingency:
    _window(data["starts"], data["ends"], within=None, what="plan")
    plan = m.Contingency(
        owner_id=principal.nation_id,
        created_by=user,
        **{k: data[k] for k in PLAN_FIELDS if k in data},
    )
    plan.set_marking(data["marking"])
    write(plan, user, viewer, {"created": True})
    return plan


def edit_plan(
    user: Any, viewer: Any, plan: m.Contingency, version: int, data: dict[str, Any]
) -> m.Contingency:
    starts, ends = data.get("starts", plan.starts), data.get("ends", plan.ends)
    _window(starts, ends, within=None, what="plan")
    outside = m.Task.objects.visible_to(viewer).filter(contingency=plan)
    late = outside.filter(ends__gt=ends).count() + outside.filter(starts__lt=starts).count()
    if late:
        raise ValidationError(
            {"starts": f"{late} task(s) of the plan would fall outside the new window."}
        )
    return _edit(m.Contingency, user, viewer, plan.pk, version, "plan", PLAN_FIELDS, data)


def _edit(
    model: type[Any],
    user: Any,
    viewer: Any,
    pk: int,
    version: int,
    what: str,
    fields: tuple[str, ...],
    data: dict[str, Any],
    more: Callable[[Any], list[str]] | None = None,
) -> Any:
    """Claim the version (``StaleVersion`` when it moved on), apply ``data`` (and ``more``),
    save and audit what changed."""
    with transaction.atomic():
        claim_version(model.objects.visible_to(viewer), pk, version, what=what)
        row = model.objects.visible_to(viewer).get(pk=pk)
        changed = sorted(k for k in fields if k in data and getattr(row, k) != data[k])
        for k in fields:
            if k in data:
                setattr(row, k, data[k])
        if more is not None:
            changed += more(row)
        if data.get("marking") and data["marking"] != row.marking.text:
            row.set_marking(data["marking"])
            changed.append("marking")
        write(row, user, viewer, {"version": row.version, "changed": changed})
    return row


# --- phases and tasks ---------------------------------------------------------------------------


def create_phase(user: Any, viewer: Any, plan: m.Contingency, data: dict[str, Any]) -> m.Phase:
    _window(data["starts"], data["ends"], within=(plan.starts, plan.ends), what="phase")
    phase = m.Phase(
        contingency=plan,
        order=data["order"],
        name=data["name"],
        starts=data["starts"],
        ends=data["ends"],
    )
    phase.set_marking(data["marking"])
    write(phase, user, viewer, {"created": True})
    return phase


def _phase(viewer: Any, plan: m.Contingency, phase: Any) -> m.Phase | None:
    if phase in (None, ""):
        return None
    key = phase.pk if isinstance(phase, m.Phase) else phase
    found = m.Phase.objects.visible_to(viewer).filter(pk=key, contingency=plan).first()
    if found is None:
        raise ValidationError({"phase": "No phase of this plan has this id."})
    return found


def create_task(user: Any, viewer: Any, plan: m.Contingency, data: dict[str, Any]) -> m.Task:
    _window(data["starts"], data["ends"], within=(plan.starts, plan.ends), what="task")
    task = m.Task(
        contingency=plan,
        phase=_phase(viewer, plan, data.get("phase")),
        lead_id=nation_code(data.get("lead"), "lead"),
        **{k: data[k] for k in TASK_FIELDS if k in data},
    )
    task.set_marking(data["marking"])
    write(task, user, viewer, {"created": True})
    return task


def edit_task(user: Any, viewer: Any, task: m.Task, version: int, data: dict[str, Any]) -> m.Task:
    plan = task.contingency
    starts, ends = data.get("starts", task.starts), data.get("ends", task.ends)
    _window(starts, ends, within=(plan.starts, plan.ends), what="task")

    def links(row: m.Task) -> list[str]:
        changed = []
        if "phase" in data:
            row.phase = _phase(viewer, plan, data["phase"])
            changed.append("phase")
        if "lead" in data:
            row.lead_id = nation_code(data["lead"], "lead")
            changed.append("lead")
        return changed

    return _edit(m.Task, user, viewer, task.pk, version, "task", TASK_FIELDS, data, links)


# --- assignments --------------------------------------------------------------------------------


def derived_rollup(loaded: Loaded, task: m.Task, nation: str) -> Marking:
    """The roll-up of what an assignment of ``task`` to ``nation`` relies on (a ``Marking``)."""
    texts = {task.marking.text}
    for c in loaded.capabilities.values():
        if (
            c.nation_id == nation
            and c.capability_type_id == task.capability_type_id
            and c.available_from <= task.ends
            and task.starts <= c.available_to
        ):
            texts.add(c.marking.text)
    plan = loaded.plans[task.contingency_id]
    for w in loaded.assessments.values():
        if w.nation_id == nation and w.contingency_type == plan.contingency_type:
            texts.add(w.marking.text)
    return rollup_portions([vocabulary.parse(t) for t in sorted(texts)])


def default_role_marking(
    loaded: Loaded, task: m.Task, nation: str, on: date | None = None
) -> RoleMarking:
    """The marking a role of ``nation`` on ``task`` gets by default: the roll-up of what it relies
    on, widened to ``nation`` where the rules allow so that the partner reads its own role
    (``allied.planning.rules.roles``); where they do not, the answer says why."""
    derived = derived_rollup(loaded, task, nation)
    if nation == "USA":
        return RoleMarking(derived, True)
    parents = role_parents(task, loaded.plans[task.contingency_id])
    return role_marking(derived, nation_viewer(nation, on), on, parents)


def role_readable(loaded: Loaded, row: m.Assignment, on: date | None = None) -> RoleMarking:
    """Whether the nation of ``row`` (an assignment of a task in ``loaded``) sees it as it is
    marked, with its task and plan, and why not."""
    from allied.planning.data import unreadable_by_nation

    task = loaded.tasks[row.task_id]
    parents = role_parents(task, loaded.plans[task.contingency_id])
    reason = unreadable_by_nation([row], on, parents=lambda _: parents).get(row.pk, "")
    return RoleMarking(row.marking.marking, not reason, reason)


def assign(user: Any, viewer: Any, task: m.Task, data: dict[str, Any]) -> m.Assignment:
    """A planner assigns (part of) ``task`` to a partner, the U.S. included. Without a marking
    the assignment gets the roll-up of what it relies on, widened to the partner where the rules
    allow, as an applied proposal does."""
    nation = nation_code(data["nation"], "nation")
    marking = data.get("marking")
    if not marking:
        loaded = load(viewer, focus=task.contingency)
        chosen = default_role_marking(loaded, loaded.tasks[task.pk], str(nation))
        marking = render_marking(chosen.marking, "banner")
    with transaction.atomic():
        # Lock the task so two planners cannot both name a lead.
        m.Task.objects.visible_to(viewer).select_for_update().filter(pk=task.pk).first()
        if data.get("is_lead"):
            lead = (
                m.Assignment.objects.visible_to(viewer)
                .filter(task=task, is_lead=True)
                .values_list("nation_id", flat=True)
                .first()
            )
            if lead is not None:
                raise ValidationError(
                    {"is_lead": f"{lead} already leads this task; assign in support instead."}
                )
        row = m.Assignment(
            task=task,
            nation_id=nation,
            quantity=data["quantity"],
            is_lead=bool(data.get("is_lead")),
            origin=m.AssignmentOrigin.PLANNER,
            assigned_by=user,
        )
        row.set_marking(marking)
        write(row, user, viewer, {"created": True})
    return row


def unassign(user: Any, viewer: Any, row: m.Assignment) -> None:
    with transaction.atomic():
        audit.record(
            "write",
            actor=user,
            obj=row,
            detail={"deleted": True, "nation": row.nation_id, "quantity": row.quantity},
        )
        m.Assignment.objects.visible_to(viewer).filter(pk=row.pk).delete()


# --- planning requests --------------------------------------------------------------------------


DECISIONS = {"accept": m.RequestStatus.ACCEPTED, "decline": m.RequestStatus.DECLINED}


def decide_request(
    user: Any, viewer: Any, row: m.PlanningRequest, decision: str, note: str, *, on: date
) -> m.PlanningRequest:
    """Accept or decline an open request, once; the partner reads the note with the status."""
    if decision not in DECISIONS:
        raise ValidationError({"decision": "Choose accept or decline."})
    if decision == "decline" and not note.strip():
        raise ValidationError({"note": "Say why the request is declined; the partner reads it."})
    with transaction.atomic():
        moved = (
            m.PlanningRequest.objects.visible_to(viewer)
            .filter(pk=row.pk, status=m.RequestStatus.OPEN)
            .update(
                status=DECISIONS[decision],
                decided_by=user,
                decided_on=on,
                decision_note=note.strip(),
            )
        )
        if not moved:
            current = (
                m.PlanningRequest.objects.visible_to(viewer)
                .filter(pk=row.pk)
                .values_list("status", flat=True)
                .first()
            )
            if current is None:
                not_found()
            raise ValidationError(
                {"decision": f"This request was already decided ({current}); nothing was saved."}
            )
        # An update sends no post_save: a decided request leaves the working group's queue here.
        from allied.core.queue import rows_written

        rows_written(m.PlanningRequest, [row.pk])
        audit.record(
            "decision",
            actor=user,
            obj=row,
            detail={"what": f"{decision}ed the planning request", "note": note.strip()},
        )
    return m.PlanningRequest.objects.visible_to(viewer).get(pk=row.pk)
