"""The LOR completeness checker against SAMM C5.1.2 and the Figure C5.F14 checklist."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from allied.arms.rules.lor import ALL_CHECKS, Severity, actionable, check

COMPLETE = {
    "originator": "Ministry of National Defense, Acquisition Office, Manila",
    "reference_number": "LOR-2026-014",
    "request_kind": "loa",
    "articles": "Twelve utility helicopters with mission equipment, spares for two years.",
    "quantity": 12,
    "financing": "cash",
    "third_parties": "none",
    "addressees": ["DSCA", "IA", "SCO", "CCMD", "STATE_PM"],
    "mde": True,
    "used_checklist": True,
    "delivery": "First aircraft by FY2028, ship to Clark",
    "training": "Pilot and maintainer training in CONUS",
    "system": "helicopter",
    "system_answers": {"role": "utility and medical evacuation", "night_vision": "yes, NVG"},
}


def keys(draft):
    return [g.key for g in check(draft)]


def test_a_complete_lor_has_no_gap():
    assert check(COMPLETE) == []
    assert actionable(COMPLETE)


def test_an_empty_lor_is_not_actionable_and_every_blocking_gap_comes_first():
    gaps = check({})
    assert not actionable({})
    severities = [g.severity for g in gaps]
    assert severities == sorted(severities, reverse=True)
    assert {"in_writing", "reference", "request_kind", "articles", "quantity"} <= set(keys({}))


def test_fmf_financing_needs_the_samm_wording():
    draft = {**COMPLETE, "financing": "fmf", "financing_text": "FMF"}
    assert "fmf_wording" in keys(draft)
    draft["financing_text"] = 'Funded by "FMS Credit (Non-Repayable)"'
    assert "fmf_wording" not in keys(draft)


def test_a_blanket_order_needs_a_value():
    assert "blanket_value" in keys({**COMPLETE, "blanket_order": True})
    assert "blanket_value" not in keys({**COMPLETE, "blanket_order": True, "blanket_value": 5e6})


def test_undeclared_third_parties_delay_the_case():
    gap = next(g for g in check({**COMPLETE, "third_parties": ""}) if g.key == "third_parties")
    assert gap.severity is Severity.DELAYS and "reviews start late" in gap.why


def test_mde_requests_must_also_go_to_state_pm():
    draft = {**COMPLETE, "addressees": ["DSCA", "IA", "SCO", "CCMD"]}
    assert "state_pm" in keys(draft)
    assert "state_pm" not in keys({**draft, "mde": False})


def test_system_specific_checklists_apply_only_to_their_system():
    draft = {**COMPLETE, "system": "uas", "system_answers": {}}
    found = keys(draft)
    assert "uas:payloads" in found and not any(k.startswith("helicopter:") for k in found)


def test_every_check_cites_a_source_and_says_why_it_delays():
    for c in ALL_CHECKS:
        assert c.source and len(c.why) > 20, c.key


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(sorted(COMPLETE))))
def test_removing_answers_never_removes_a_gap(removed):
    smaller = {k: v for k, v in COMPLETE.items() if k not in removed}
    assert set(keys(COMPLETE)) <= set(keys(smaller)) or "system" in removed or "mde" in removed
