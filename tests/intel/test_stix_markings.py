"""TLP on imported STIX objects (pure): recognised in the forms feeds use; it only narrows."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from allied.intel.rules.stix_markings import (
    STANDARD,
    TlpRefused,
    apply_tlp,
    definition_level,
    definitions_of,
    noforn,
    tlp_of,
    unmapped_of,
)
from allied.markings import Level, parse, render
from allied.markings.access import Viewer, decide
from tests.markings.strategies import NATIONS, ON, portions

RED_V1 = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
GREEN_V1 = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
AMBER_STRICT_V2 = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"


@pytest.mark.parametrize(
    ("definition", "level"),
    [
        ({"definition_type": "tlp", "definition": {"tlp": "green"}}, "GREEN"),
        ({"definition_type": "tlp", "definition": {"tlp": "white"}}, "CLEAR"),
        # OpenCTI's own definitions: the level is in the name.
        ({"definition_type": "TLP", "name": "TLP:AMBER+STRICT", "definition": "x"}, "AMBER+STRICT"),
        # TLP 2.0 marking definitions carry the level in their extension.
        ({"extensions": {"extension-definition--x": {"tlp_2_0": "amber"}}}, "AMBER"),
        ({"definition_type": "statement", "definition": {"statement": "Copyright"}}, None),
    ],
)
def test_each_form_of_tlp_definition_is_recognised(definition, level):
    assert definition_level({"type": "marking-definition", **definition}) == level


def test_standard_ids_are_known_without_their_definitions_in_the_bundle():
    assert tlp_of({"object_marking_refs": [GREEN_V1]}, {}) == "GREEN"
    assert tlp_of({"object_marking_refs": [AMBER_STRICT_V2]}, {}) == "AMBER+STRICT"
    assert set(STANDARD.values()) == {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"}


def test_the_most_restrictive_of_whole_and_granular_markings_wins():
    own = {"marking-definition--own": "AMBER"}
    obj = {
        "object_marking_refs": [GREEN_V1],
        "granular_markings": [{"marking_ref": "marking-definition--own", "selectors": ["name"]}],
    }
    assert tlp_of(obj, own) == "AMBER"
    obj["granular_markings"].append({"marking_ref": RED_V1, "selectors": ["pattern"]})
    assert tlp_of(obj, own) == "RED"


def test_definitions_come_from_the_bundle():
    objects = [
        {"type": "marking-definition", "id": "marking-definition--a", "definition_type": "tlp",
         "definition": {"tlp": "amber"}},
        {"type": "indicator", "id": "indicator--b"},
    ]  # fmt: skip
    assert definitions_of(objects) == {"marking-definition--a": "AMBER"}


def test_every_marking_definition_that_is_not_tlp_is_unmapped():
    # Rule 29: an object's handling is never guessed, so what is not TLP is named for refusal.
    own = {"marking-definition--own": "AMBER"}
    obj = {
        "object_marking_refs": [GREEN_V1, "marking-definition--statement"],
        "granular_markings": [
            {"marking_ref": "marking-definition--own", "selectors": ["name"]},
            {"marking_ref": "marking-definition--pap", "selectors": ["pattern"]},
            {"marking_ref": "marking-definition--pap", "selectors": ["name"]},
            {"lang": "ja", "selectors": ["description"]},
        ],
    }
    assert unmapped_of(obj, own) == ["marking-definition--statement", "marking-definition--pap"]
    assert unmapped_of({"object_marking_refs": [AMBER_STRICT_V2]}, {}) == []
    assert unmapped_of({}, {}) == []


@pytest.mark.parametrize("level", [None, "CLEAR", "GREEN", "AMBER"])
def test_levels_up_to_amber_leave_the_marking_as_given(level):
    marking = parse("SECRET//REL TO USA, JPN")
    assert apply_tlp(marking, level, "USA") == marking


def test_amber_strict_makes_a_us_import_noforn():
    # Rule 14: NOFORN cannot stand with REL TO or DISPLAY ONLY, so both go.
    marking = apply_tlp(parse("SECRET//REL TO USA, JPN"), "AMBER+STRICT", "USA")
    assert render(marking) == "SECRET//NOFORN"
    shown = apply_tlp(parse("CONFIDENTIAL//DISPLAY ONLY JPN"), "AMBER+STRICT", "USA")
    assert render(shown) == "CONFIDENTIAL//NOFORN"


def test_amber_strict_from_a_partner_and_red_from_anyone_are_refused():
    with pytest.raises(TlpRefused, match=r"only a U\.S\. importer"):
        apply_tlp(parse("SECRET//REL TO USA, AUS"), "AMBER+STRICT", "AUS")
    with pytest.raises(TlpRefused, match="TLP:RED"):
        apply_tlp(parse("UNCLASSIFIED"), "RED", "USA")


@settings(max_examples=80, deadline=None)
@given(portions())
def test_tlp_never_widens_who_may_see_an_object(marking):
    # Rule 24(a): NOFORN keeps every foreign national out, whatever the marking allowed.
    narrowed = noforn(marking)
    for nation in NATIONS:
        viewer = Viewer(nation, Level.TS)
        assert not decide(viewer, narrowed, ON).view
    us = Viewer("USA", Level.TS, frozenset({"SI", "SI-G", "TK", "RD", "FRD", "TFNI"}))
    assert decide(us, narrowed, ON).view == decide(us, marking, ON).view
