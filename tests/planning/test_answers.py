"""Partners' answers to their roles and the plan's validation by partners (pure rules).

Rule numbers are those of ``../shared/reference/markings.md`` (24-26: releasability to a nation).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from allied.markings import parse
from allied.markings.access import Membership, Viewer
from allied.markings.vocab import Level
from allied.planning.rules.answers import (
    Answer,
    Role,
    RoleAnswer,
    State,
    answer_errors,
    declined_pairs,
    releasable_answers,
    role_states,
    validation,
)
from allied.planning.rules.checks import run_checks
from allied.planning.rules.model import US
from allied.planning.rules.optimiser import propose
from allied.planning.rules.roles import nation_reads
from allied.planning.rules.synthetic import generate

T0 = datetime(2027, 3, 1, 9, 0)


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


def role(task: int, nation: str = "JPN") -> Role:
    return Role(task, nation, T0, f"Task {task}")


def answer(key, task, kind, hours=1, nation="JPN", conditions="", reason=""):
    return RoleAnswer(key, task, nation, kind, at(hours), conditions, reason)


def test_a_role_nobody_answered_is_proposed_since_it_was_given():
    [status] = role_states([role(1)], [])
    assert status.state is State.PROPOSED and status.since == T0 and status.answer is None


def test_the_latest_answer_counts_and_says_since_when():
    answers = [
        answer(1, 1, Answer.DECLINED, 1, reason="no lift then"),
        answer(2, 1, Answer.CONDITIONAL, 5, conditions="only after a Diet vote"),
    ]
    [status] = role_states([role(1)], answers)
    assert status.state is State.CONDITIONAL and status.since == at(5)
    assert "only after a Diet vote" in status.describe()


def test_another_nations_answer_does_not_answer_the_role():
    [status] = role_states([role(1, "JPN")], [answer(1, 1, Answer.ACCEPTED, nation="KOR")])
    assert status.state is State.PROPOSED


def test_the_united_states_own_roles_are_not_answered():
    assert role_states([role(1, US)], []) == []


def test_an_answer_names_its_conditions_or_its_reason():
    assert answer_errors("conditional", " ", "") == {
        "conditions": answer_errors("conditional", "", "")["conditions"]
    }
    assert "reason" in answer_errors("declined", "", "")
    assert "answer" in answer_errors("maybe", "", "")
    assert answer_errors("accepted", "", "") == {}


def test_a_plan_is_validated_only_when_every_partner_role_is_accepted():
    roles = [role(1, "JPN"), role(2, "KOR"), role(3, "AUS")]
    answers = [
        answer(1, 1, Answer.CONDITIONAL, conditions="no combat role"),
        answer(2, 2, Answer.DECLINED, nation="KOR", reason="forces committed at home"),
    ]
    checked = validation(role_states(roles, answers))
    assert not checked.validated
    assert [(s.role.nation, s.state) for s in checked.missing] == [
        ("KOR", State.DECLINED),
        ("AUS", State.PROPOSED),
    ]
    assert "KOR on Task 2: declined" in checked.explain()
    more = [
        *answers,
        answer(3, 2, Answer.ACCEPTED, 9, "KOR"),
        answer(4, 3, Answer.ACCEPTED, 9, "AUS"),
    ]
    assert validation(role_states(roles, more)).validated


kinds = st.sampled_from(list(Answer))
answer_lists = st.lists(
    st.tuples(st.integers(1, 4), st.sampled_from(["JPN", "KOR"]), kinds, st.integers(0, 50)),
    max_size=12,
)


def _answers(drawn) -> list[RoleAnswer]:
    return [
        answer(k, task, kind, hours, nation, conditions="c", reason="r")
        for k, (task, nation, kind, hours) in enumerate(drawn, start=1)
    ]


@settings(max_examples=60, deadline=None)
@given(answer_lists)
def test_validated_exactly_when_no_role_rests_on_anything_but_an_acceptance(drawn):
    roles = [role(t, n) for t in range(1, 5) for n in ("JPN", "KOR")]
    states = role_states(roles, _answers(drawn))
    checked = validation(states)
    assert checked.validated == all(s.state in (State.ACCEPTED, State.CONDITIONAL) for s in states)
    assert {(s.role.task, s.role.nation) for s in checked.missing} == {
        (s.role.task, s.role.nation) for s in states if not s.state.accepted
    }


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.data())
def test_a_declined_role_is_never_proposed_again(seed, draw):
    """Whatever roles the partners decline of a first proposal, no later proposal gives them."""
    d = generate(6, 25, 4, seed=seed)
    first = propose(d, 1)
    pairs = sorted({(a.task, a.nation) for a in first.assignments if a.nation != US})
    chosen = draw.draw(st.lists(st.sampled_from(pairs), unique=True) if pairs else st.just([]))
    declines = tuple(
        RoleAnswer(k, t, n, Answer.DECLINED, at(k), reason="declined")
        for k, (t, n) in enumerate(chosen, start=1)
    )
    again = propose(replace(d, answers=declines), 1)
    assert not {(a.task, a.nation) for a in again.assignments} & declined_pairs(declines)


def test_a_conditional_answer_keeps_the_role_proposable_and_a_later_acceptance_lifts_a_decline():
    answers = [
        answer(1, 1, Answer.DECLINED, 1, reason="r"),
        answer(2, 2, Answer.CONDITIONAL, 1, conditions="c"),
    ]
    assert declined_pairs(answers) == {(1, "JPN")}
    assert declined_pairs([*answers, answer(3, 1, Answer.ACCEPTED, 2)]) == frozenset()


JPN = Viewer("JPN", Level.U)
AUS = Viewer("AUS", Level.U, memberships=(Membership("FVEY"),))
MARKINGS = [
    "SECRET//REL TO USA, JPN",
    "SECRET//NOFORN",
    "SECRET//REL TO USA, FVEY",
    "CONFIDENTIAL//REL TO USA, AUS, JPN",
    "UNCLASSIFIED",
    "SECRET//REL TO USA, KOR",
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(kinds, st.sampled_from(MARKINGS)), max_size=10), st.sampled_from([JPN, AUS])
)
def test_a_partner_never_sees_an_answer_not_releasable_to_it_rules_24_to_26(drawn, nation):
    marked = [
        (answer(k, 1, kind, k, conditions="c", reason="r"), parse(text))
        for k, (kind, text) in enumerate(drawn, start=1)
    ]
    seen = releasable_answers(nation, marked)
    by_key = {a.key: m for a, m in marked}
    assert all(nation_reads(nation, by_key[a.key])[0] for a in seen)
    assert {a.key for a in seen} == {a.key for a, m in marked if nation_reads(nation, m)[0]}


def test_the_readiness_check_counts_roles_resting_on_no_acceptance():
    d = generate(4, 8, 2, seed=3, assigned_share=1.0)
    partner = sorted({(a.task, a.nation) for a in d.assignments if a.nation != US})
    assert partner, "the synthetic plan gives partners roles"
    before = run_checks(d, {1}, today=date(2027, 1, 1), acceptance=True).counts()
    assert before["unaccepted_role"] == len(partner)
    accepted = tuple(
        RoleAnswer(k, t, n, Answer.ACCEPTED, at(k)) for k, (t, n) in enumerate(partner, start=1)
    )
    after = run_checks(replace(d, answers=accepted), {1}, today=date(2027, 1, 1), acceptance=True)
    assert after.counts()["unaccepted_role"] == 0
    without = run_checks(d, {1}, today=date(2027, 1, 1))
    assert "unaccepted_role" not in without.checks_tripped() | set(without.counts())
