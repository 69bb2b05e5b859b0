"""Partners' answers to the roles a plan gives them, and the plan's validation by partners (pure).

A role (a task assigned to a partner) is *proposed* until that partner's planners or liaison
officers answer it: *accepted*, *conditional* (accepted with conditions, in the partner's words)
or *declined* (with a reason). Every answer is kept; the latest one of a (task, nation) counts, so
an answer survives the role being removed and re-applied from a proposal.

* ``role_states``: each partner role's state and since when;
* ``validation``: a plan is validated by partners only when every partner role on it rests on an
  acceptance (accepted, or accepted with conditions); otherwise the roles missing one;
* ``declined_pairs``: the (task, nation) pairs the optimiser never proposes again; a conditional
  answer counts as the willingness the optimiser already honours;
* ``releasable_answers``: the answers a nation may read (rules 24-26): a partner never sees an
  answer that is not releasable to it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from allied.markings import Marking
from allied.markings.access import Viewer
from allied.planning.rules.roles import nation_reads

US = "USA"


class Answer(enum.Enum):
    ACCEPTED = "accepted"
    CONDITIONAL = "conditional"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {
            "accepted": "Accepted",
            "conditional": "Accepted with conditions",
            "declined": "Declined",
        }[self.value]


class State(enum.Enum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    CONDITIONAL = "conditional"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {
            "proposed": "Proposed, not answered",
            "accepted": "Accepted",
            "conditional": "Accepted with conditions",
            "declined": "Declined",
        }[self.value]

    @property
    def accepted(self) -> bool:
        """Whether the role rests on an acceptance (with or without conditions)."""
        return self in (State.ACCEPTED, State.CONDITIONAL)


@dataclass(frozen=True)
class RoleAnswer:
    """One answer of ``nation`` to its role on ``task``."""

    key: int
    task: int
    nation: str
    answer: Answer
    answered_at: datetime
    conditions: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Role:
    """A role of ``nation`` on ``task`` (one or more assignments), given at ``since``."""

    task: int
    nation: str
    since: datetime
    task_name: str = ""


@dataclass(frozen=True)
class RoleStatus:
    role: Role
    state: State
    since: datetime
    answer: RoleAnswer | None = None

    def describe(self) -> str:
        r = self.role
        what = f"{r.nation} on {r.task_name or f'task {r.task}'}"
        text = f"{what}: {self.state.label.lower()} since {self.since:%Y-%m-%d}"
        if self.answer is not None and self.answer.conditions:
            text += f" (conditions: {self.answer.conditions})"
        if self.answer is not None and self.answer.reason:
            text += f" (reason: {self.answer.reason})"
        return text


@dataclass(frozen=True)
class Validation:
    validated: bool
    missing: tuple[RoleStatus, ...]

    def explain(self) -> str:
        if self.validated:
            return "Every partner role on the plan is accepted."
        return "Not every partner role is accepted; missing: " + "; ".join(
            s.describe() for s in self.missing
        )


def answer_errors(answer: str, conditions: str, reason: str) -> dict[str, str]:
    """What is wrong with an answer, by field: a conditional answer names its conditions, a
    declined one its reason."""
    if answer not in {a.value for a in Answer}:
        return {"answer": "Choose accepted, conditional or declined."}
    if answer == Answer.CONDITIONAL.value and not conditions.strip():
        return {"conditions": "Say the conditions of the acceptance, in your words."}
    if answer == Answer.DECLINED.value and not reason.strip():
        return {"reason": "Say why the role is declined; the plan's planners read it."}
    return {}


def latest_answers(answers: Iterable[RoleAnswer]) -> dict[tuple[int, str], RoleAnswer]:
    """The answer that counts for each (task, nation): the latest."""
    out: dict[tuple[int, str], RoleAnswer] = {}
    for a in answers:
        held = out.get((a.task, a.nation))
        if held is None or (a.answered_at, a.key) > (held.answered_at, held.key):
            out[(a.task, a.nation)] = a
    return out


def role_states(roles: Iterable[Role], answers: Iterable[RoleAnswer]) -> list[RoleStatus]:
    """The state of each partner role (the U.S.'s own roles are not answered), since when."""
    latest = latest_answers(answers)
    out = []
    for role in sorted({(r.task, r.nation): r for r in roles}.values(), key=_order):
        if role.nation == US:
            continue
        answer = latest.get((role.task, role.nation))
        if answer is None:
            out.append(RoleStatus(role, State.PROPOSED, role.since))
        else:
            out.append(RoleStatus(role, State(answer.answer.value), answer.answered_at, answer))
    return out


def _order(role: Role) -> tuple[int, str]:
    return role.task, role.nation


def validation(statuses: Iterable[RoleStatus]) -> Validation:
    """Validated by partners only when every partner role rests on an acceptance."""
    missing = tuple(s for s in statuses if not s.state.accepted)
    return Validation(not missing, missing)


def declined_pairs(answers: Iterable[RoleAnswer]) -> frozenset[tuple[int, str]]:
    """The (task, nation) pairs whose latest answer is a decline: never proposed again."""
    return frozenset(k for k, a in latest_answers(answers).items() if a.answer is Answer.DECLINED)


def releasable_answers(
    nation: Viewer,
    answers: Iterable[tuple[RoleAnswer, Marking]],
    on: date | None = None,
) -> list[RoleAnswer]:
    """The answers (with their markings) ``nation`` may read; the others are left out."""
    return [a for a, marking in answers if nation_reads(nation, marking, on)[0]]
