"""Network measures: who cuts a partner off, articulation points, bridges, layout."""

from hypothesis import given, settings
from hypothesis import strategies as st

from allied.people.rules.network import Tie, build, connected, cut_off_by, layout, measures

NATIONS = {"ann": "USA", "bea": "USA", "ken": "JPN", "yui": "JPN", "min": "KOR", "ali": "AUS"}


def test_the_only_american_who_knows_the_koreans_cuts_korea_off():
    graph = build(
        NATIONS,
        [
            Tie("ann", "bea", 3),
            Tie("ann", "ken", 2),
            Tie("bea", "ken", 1),
            Tie("bea", "min", 1),
            Tie("ken", "yui", 4),
        ],
    )
    m = measures(graph)
    assert m.cut_off_by["KOR"] == ["bea", "min"]
    # Japan reaches the United States through ann and through bea, but only through ken.
    assert m.cut_off_by["JPN"] == ["ken"]
    assert m.cut_off == ["AUS"]  # ali met nobody
    assert "bea" in m.articulation_points and "ken" in m.articulation_points
    assert ("bea", "min") in m.bridges and ("ken", "yui") in m.bridges
    assert m.people == 6 and m.ties == 5 and m.components == 2


def test_a_partner_reached_through_a_third_nation_depends_on_that_person():
    nations = {"ann": "USA", "ali": "AUS", "min": "KOR"}
    graph = build(nations, [Tie("ann", "ali", 1), Tie("ali", "min", 1)])
    assert connected(graph, "KOR")
    assert cut_off_by(graph, "KOR") == ["ali", "ann", "min"]
    assert not connected(graph, "KOR", without="ali")


def test_ties_to_unknown_people_are_left_out():
    graph = build({"ann": "USA"}, [Tie("ann", "ghost", 5), Tie("ann", "ann", 1)])
    assert graph.number_of_edges() == 0


def test_layout_is_in_the_unit_square_and_repeatable():
    graph = build(NATIONS, [Tie("ann", "ken", 1), Tie("ken", "yui", 1), Tie("bea", "min", 1)])
    first = layout(graph)
    assert first == layout(graph)
    assert set(first) == set(NATIONS)
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in first.values())


people = list(NATIONS)
ties_st = st.lists(
    st.builds(Tie, st.sampled_from(people), st.sampled_from(people), st.integers(1, 3)), max_size=12
)


@given(ties_st)
@settings(max_examples=60, deadline=None)
def test_removing_a_named_person_really_cuts_the_partner_off(ties):
    graph = build(NATIONS, ties)
    m = measures(graph)
    for partner, cutters in m.cut_off_by.items():
        assert connected(graph, partner)
        for person in cutters:
            assert not connected(graph, partner, without=person)
        for person in set(graph.nodes) - set(cutters):
            assert connected(graph, partner, without=person)


@given(ties_st, ties_st)
@settings(max_examples=40, deadline=None)
def test_hidden_ties_never_add_people_or_ties_to_what_a_viewer_sees(visible, hidden):
    few = build(NATIONS, visible)
    many = build(NATIONS, visible + hidden)
    assert set(few.edges) <= {tuple(e) for e in many.edges} | {
        tuple(reversed(e)) for e in many.edges
    }
    for partner in ("JPN", "KOR", "AUS"):
        if connected(few, partner):
            assert connected(many, partner)
