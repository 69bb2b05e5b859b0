"""The marking of a role given to a partner, and whether that partner can read it (pure).

A plan that gives a partner a role the partner never sees is the failure coalition planning exists
to avoid. So a role's default marking is the roll-up of what it rests on (the plan, the task, the
partner's holdings and the assessments of its willingness), widened to the partner as a
disclosure is (``allied.markings.release.widen_release``): ``NOFORN`` gives way to ``REL TO USA,
<partner>`` and a ``REL TO`` list gains the partner. Where the rules forbid it (content that is
NOFORN by source: non-IC NOFORN, HCS, ORCON, foreign government information...) the marking is
left as it is and the answer says which rule stops it, so that the planner is told.

Whether a nation can read a marking is its releasability to that nation (rules 24-26): the
nation's communities count, clearance and SCI accesses do not (they are the person's, not the
nation's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from allied.markings import Level, Marking, render
from allied.markings.access import Viewer, decide, required_accesses
from allied.markings.release import widen_release

US = "USA"


@dataclass(frozen=True)
class RoleMarking:
    """The marking a role gets, and whether its partner may read it (``reason`` when not)."""

    marking: Marking
    readable: bool
    reason: str = ""
    rule: str = ""
    widened: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "marking": render(self.marking, "banner"),
            "partner_can_read": self.readable,
            "widened": self.widened,
            "reason": self.reason,
            "rule": self.rule,
        }


def nation_reads(nation: Viewer, marking: Marking, on: date | None = None) -> tuple[bool, str, str]:
    """Whether ``nation`` (a viewer standing for the nation) may read ``marking``, and why not."""
    if nation.nation == US:
        return True, "", ""
    cleared = replace(nation, clearance=Level.TS, accesses=required_accesses(marking))
    decision = decide(cleared, marking, on)
    return decision.view, "" if decision.view else decision.reason, decision.rule or ""


def role_visibility(
    nation: Viewer, role: Marking, parents: Sequence[tuple[str, Marking]], on: date | None = None
) -> tuple[bool, str, str]:
    """Whether ``nation`` sees its role: the role's own marking and those of what it is read in
    (``parents``: the task, the plan, as (what, marking)), since a role of a task the nation
    cannot read is hidden with its task. With the reason and rule when it does not."""
    for what, marking in (*parents, ("role", role)):
        readable, reason, rule = nation_reads(nation, marking, on)
        if not readable:
            return False, f"the {what} is marked {render(marking, 'banner')}: {reason}", rule
    return True, "", ""


def role_marking(
    derived: Marking,
    nation: Viewer,
    on: date | None = None,
    parents: Sequence[tuple[str, Marking]] = (),
) -> RoleMarking:
    """The default marking of a role given to ``nation``: ``derived`` (the roll-up of what the
    role rests on) if the nation reads it, else ``derived`` widened to the nation where the
    rules allow; where they do not, ``derived`` unchanged, not readable, with the reason. A role
    whose task or plan (``parents``) the nation cannot read is not readable either: widening the
    role alone would not show it; the planner re-marks the task or plan."""
    role = _role_marking(derived, nation, on)
    if not role.readable:
        return role
    readable, reason, rule = role_visibility(nation, role.marking, parents, on)
    if readable:
        return role
    return RoleMarking(role.marking, False, f"{nation.nation} cannot see it: {reason}", rule)


def _role_marking(derived: Marking, nation: Viewer, on: date | None) -> RoleMarking:
    readable, reason, rule = nation_reads(nation, derived, on)
    if readable:
        return RoleMarking(derived, True)
    widening = widen_release(derived, nation.nation, Level.TS)
    if widening.marking is None:
        return RoleMarking(
            derived,
            False,
            f"{nation.nation} cannot read {render(derived, 'banner')}: {widening.blocked_by}",
            widening.rule or "",
        )
    widened = widening.marking
    readable, reason, rule = nation_reads(nation, widened, on)
    if not readable:
        why = f"{nation.nation} cannot read {render(derived, 'banner')}: {reason}"
        return RoleMarking(derived, False, why, rule)
    return RoleMarking(widened, True, widened=widened != derived)
