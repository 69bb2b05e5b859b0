"""Language coverage per partner: counts by working level in the partner's language."""

from hypothesis import given, settings
from hypothesis import strategies as st

from allied.people.rules.ilr import Proficiency
from allied.people.rules.languages import language_coverage


def test_officials_are_counted_by_working_level_in_each_partners_language():
    working_with = {"ann": ["JPN"], "bea": ["JPN", "KOR"], "cal": ["KOR"], "dan": ["AUS"]}
    skills = {
        "ann": [Proficiency("jpn", 6, 6, 5)],  # works at 2+
        "bea": [Proficiency("jpn", 2, 4, 2), Proficiency("kor", 8, 8, 8)],
        "cal": [Proficiency("jpn", 10, 10, 10)],  # fluent in the wrong language
    }
    by = {entry.partner: entry for entry in language_coverage(working_with, skills)}
    jpn, kor, aus = by["JPN"], by["KOR"], by["AUS"]
    assert (jpn.officials, jpn.by_level[5], jpn.by_level[2], jpn.none) == (2, 1, 1, 0)
    assert jpn.at_working == 1
    assert jpn.working_by_skill == {"listening": 1, "reading": 2, "speaking": 1}
    assert (kor.officials, kor.by_level[8], kor.none, kor.at_working) == (2, 1, 1, 1)
    assert aus.english and aus.none == 1


def test_english_speaking_partners_come_last_and_the_weakest_first():
    working_with = {"ann": ["AUS"], "bea": ["KOR"], "cal": ["JPN"]}
    skills = {"cal": [Proficiency("jpn", 6, 6, 6)]}
    order = [e.partner for e in language_coverage(working_with, skills)]
    assert order == ["KOR", "JPN", "AUS"]


levels = st.integers(0, 10)
skills_st = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d"]),
    st.lists(
        st.builds(Proficiency, st.sampled_from(["jpn", "kor"]), levels, levels, levels), max_size=1
    ),
)
work_st = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d"]), st.lists(st.sampled_from(["JPN", "KOR"]), max_size=2)
)


@given(work_st, skills_st)
@settings(max_examples=60, deadline=None)
def test_every_official_is_counted_once_per_partner(working_with, skills):
    for entry in language_coverage(working_with, skills):
        assert sum(entry.by_level.values()) + entry.none == entry.officials
        assert entry.officials == sum(entry.partner in set(p) for p in working_with.values())
        assert 0 <= entry.at_working <= entry.officials
