"""The classification authority block (rule 32: IC-ISM ``classifiedBy``, ``derivedFrom``,
``classificationReason``, ``declassDate``, ``declassEvent``, ``declassException``), checked as
EO 13526 secs. 1.5, 1.6, 2.1 and 3.3 require."""

from __future__ import annotations

from datetime import date

import pytest

from allied.markings import Level
from allied.markings.authority import (
    Authority,
    authority_lines,
    check_authority,
    declassify_line,
    ism_attributes,
    years_after,
)

DECIDED = date(2026, 12, 3)
DERIVATIVE = Authority(
    classified_by="J. Smith, Senior Analyst",
    derived_from="Multiple Sources",
    declassify_on=date(2036, 12, 3),
)


def check(authority: Authority, level: Level = Level.S) -> dict[str, list[str]]:
    return check_authority(authority, level, decided_on=DECIDED)


def test_rule_32_a_derivative_block_with_a_date_within_25_years_is_valid():
    assert check(DERIVATIVE) == {}


def test_rule_32_an_original_block_gives_its_reason_as_a_section_1_4_category():
    original = Authority(
        classified_by="A. Jones, Director",
        classification_reason="1.4(C), 1.4 (d)",
        declassify_event="Completion of the exercise",
    )
    assert check(original) == {}
    assert original.normalised().classification_reason == "1.4(c), 1.4(d)"


def test_rule_32_a_reason_that_is_no_section_1_4_category_is_refused():
    problems = check(
        Authority("A. Jones", classification_reason="secret stuff", declassify_on=date(2030, 1, 1))
    )
    assert list(problems) == ["classification_reason"]
    assert "1.4(a) to 1.4(h)" in problems["classification_reason"][0]


def test_rule_32_an_unclassified_document_needs_no_block_and_carries_none():
    assert check(Authority(), Level.U) == {}
    problems = check(DERIVATIVE, Level.U)
    assert (
        "unclassified document carries no classification authority" in problems["classified_by"][0]
    )


@pytest.mark.parametrize("level", [Level.C, Level.S, Level.TS])
def test_rule_32_a_classified_document_without_a_block_is_told_every_missing_field(level):
    problems = check(Authority(), level)
    assert set(problems) == {"classified_by", "derived_from", "declassify_on"}
    assert "Classified By is required" in problems["classified_by"][0]
    assert "Derived From" in problems["derived_from"][0] and "Reason" in problems["derived_from"][0]


def test_rule_32_a_date_exactly_25_years_out_is_allowed_and_a_day_later_is_not():
    assert check(Authority("x", "y", declassify_on=date(2051, 12, 3))) == {}
    problems = check(Authority("x", "y", declassify_on=date(2051, 12, 4)))
    assert list(problems) == ["declassify_on"]
    assert "more than 25 years" in problems["declassify_on"][0]
    assert "25X exemption" in problems["declassify_on"][0]


def test_rule_32_a_date_30_years_out_needs_a_25x_exemption_and_is_then_valid():
    thirty = date(2056, 12, 3)
    assert "declassify_on" in check(Authority("x", "y", declassify_on=thirty))
    assert check(Authority("x", "y", declassify_on=thirty, declass_exemption="25x1")) == {}


def test_rule_32_a_25x_exemption_still_needs_a_date_or_event_within_50_years():
    problems = check(Authority("x", "y", declass_exemption="25X1"))
    assert "required with 25X1" in problems["declassify_on"][0]
    problems = check(Authority("x", "y", declassify_on=date(2077, 1, 1), declass_exemption="25X3"))
    assert "more than 50 years" in problems["declassify_on"][0]


def test_rule_32_50x1_hum_needs_no_date_and_allows_75_years():
    assert check(Authority("x", "y", declass_exemption="50X1-HUM")) == {}
    assert (
        check(Authority("x", "y", declassify_on=date(2101, 12, 3), declass_exemption="50X2-WMD"))
        == {}
    )
    assert "declassify_on" in check(
        Authority("x", "y", declassify_on=date(2101, 12, 4), declass_exemption="50X1-HUM")
    )


@pytest.mark.parametrize(
    ("exemption", "event", "field", "replacement"),
    [
        ("", "OADR", "declassify_event", "a date or event"),
        ("", "Originating Agency's Determination Required", "declassify_event", "a date or event"),
        ("X1", "", "declass_exemption", "25X exemption"),
        ("25X1-human", "", "declass_exemption", "50X1-HUM"),
    ],
)
def test_rule_32_obsolete_eo_12958_markings_are_refused_with_their_replacement(
    exemption, event, field, replacement
):
    problems = check(Authority("x", "y", declassify_event=event, declass_exemption=exemption))
    assert list(problems) == [field]
    assert "obsolete" in problems[field][0] and replacement in problems[field][0]


def test_rule_32_an_unknown_exemption_is_refused_naming_the_valid_ones():
    problems = check(Authority("x", "y", declassify_on=date(2030, 1, 1), declass_exemption="25X10"))
    assert "25X1, 25X2" in problems["declass_exemption"][0]


def test_rule_32_a_date_and_an_event_together_are_refused():
    problems = check(
        Authority("x", "y", declassify_on=date(2030, 1, 1), declassify_event="End of op")
    )
    assert list(problems) == ["declassify_event"]


def test_rule_32_a_declassification_date_already_passed_is_refused():
    problems = check_authority(
        Authority("x", "y", declassify_on=date(2027, 1, 1)),
        Level.S,
        decided_on=date(2020, 1, 1),
        today=date(2027, 6, 1),
    )
    assert "has passed" in problems["declassify_on"][0]


def test_rule_32_overlong_text_is_refused_by_field_instead_of_failing_in_the_database():
    problems = check(Authority("x" * 201, "y" * 301, declassify_on=date(2030, 1, 1)))
    assert set(problems) == {"classified_by", "derived_from"}


def test_the_25_years_run_from_29_february_to_28_february():
    assert years_after(date(2028, 2, 29), 25) == date(2053, 2, 28)


def test_rule_32_the_block_is_printed_as_isoo_lines_and_as_ism_attributes():
    block = Authority(
        " J. Smith,  Senior Analyst ",
        "Multiple Sources",
        declassify_on=date(2056, 12, 3),
        declass_exemption="25x1",
    )
    assert declassify_line(block) == "25X1, 20561203"
    assert authority_lines(block) == [
        ("Classified By", "J. Smith, Senior Analyst"),
        ("Derived From", "Multiple Sources"),
        ("Declassify On", "25X1, 20561203"),
    ]
    assert ism_attributes(block) == {
        "classifiedBy": "J. Smith, Senior Analyst",
        "derivedFrom": "Multiple Sources",
        "declassDate": "2056-12-03",
        "declassException": "25X1",
    }
    assert Authority().empty and not block.empty
