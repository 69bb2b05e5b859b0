"""ILR levels: written forms, half steps and the working level."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allied.people.rules.ilr import (
    LevelError,
    Proficiency,
    format_level,
    level_name,
    parse_level,
    partner_language,
)


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("0", 0),
        ("0+", 1),
        ("1", 2),
        ("2", 4),
        ("2+", 5),
        ("3", 6),
        ("4+", 9),
        ("5", 10),
        (" 3 + ", 7),
    ],
)
def test_levels_parse_to_half_steps(text, step):
    assert parse_level(text) == step


@pytest.mark.parametrize("text", ["5+", "6", "-1", "2++", "two", "", "2.5"])
def test_text_off_the_scale_is_refused_with_a_reason(text):
    with pytest.raises(LevelError, match=r"ILR|5 is the top"):
        parse_level(text)


def test_a_step_off_the_scale_cannot_be_written():
    with pytest.raises(LevelError):
        format_level(11)


@given(st.integers(min_value=0, max_value=10))
@settings(max_examples=30)
def test_every_step_survives_writing_and_reading(step):
    assert parse_level(format_level(step)) == step


@given(st.integers(0, 10), st.integers(0, 10))
@settings(max_examples=50)
def test_half_steps_keep_the_order_of_the_scale(a, b):
    # "2+" sits between "2" and "3": comparing half steps compares levels.
    assert (a < b) == ((a // 2, a % 2) < (b // 2, b % 2))


def test_plus_levels_are_named_after_their_base():
    assert level_name(5) == "Limited working, plus"
    assert level_name(6) == "General professional"


def test_working_level_is_the_lower_of_listening_and_speaking():
    assert Proficiency("jpn", listening=6, reading=8, speaking=4).working_level == 4
    assert Proficiency("jpn", listening=3, reading=0, speaking=7).working_level == 3


def test_partner_languages():
    assert partner_language("JPN") == "jpn"
    assert partner_language("AUS") == "eng"
    assert partner_language("XXX") is None
