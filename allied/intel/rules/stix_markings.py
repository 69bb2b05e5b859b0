"""What the Traffic Light Protocol markings of imported STIX objects mean for Allied (pure).

Feeds from MISP, OpenCTI and other platforms mark objects with TLP, by reference
(``object_marking_refs`` and ``granular_markings``) to marking definitions: the standard TLP 1.0
definitions of STIX 2.1, the TLP 2.0 ones, or a platform's own definition naming its TLP level.
TLP says how far the recipient may pass information on; it is no classification. The importer
gives the classification marking of the feed (or each object carries Allied's own extension), and
TLP may only narrow it, never widen it. Project policy:

- ``TLP:CLEAR`` (``TLP:WHITE``), ``TLP:GREEN`` and ``TLP:AMBER``: the marking as given. AMBER lets
  the recipient share within its organisation and its clients; the importer's marking is where
  that audience is written down.
- ``TLP:AMBER+STRICT``: the recipient's organisation only. For a U.S. importer the object becomes
  NOFORN (release lists and DISPLAY ONLY dropped, rule 14); a partner's importer cannot hold an
  object to its own government within Allied, so the import is refused with the reason.
- ``TLP:RED``: for the named recipients of one exchange only; Allied, a shared system, does not
  store it, and the import is refused.

An object with several TLP markings (whole or granular) takes the most restrictive: a granular
marking on one field narrows the whole object, since Allied marks objects, not fields.

A reference to any other marking definition (a statement, a platform's own PAP or handling
marking, a definition the bundle does not hold) says something Allied cannot map onto a
classification marking, so it cannot tell whether the given marking is wide enough: the object is
refused, naming it, unless the importer states the marking of the envelope and so takes the
decision (``unmapped_of``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from allied.markings.model import Marking
from allied.markings.vocab import DISSEM_ORDER

#: TLP levels from the least to the most restrictive.
LEVELS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")

#: The standard marking definitions: TLP 1.0 as STIX 2.1 defines them, and TLP 2.0.
STANDARD = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "CLEAR",  # TLP:WHITE (1.0)
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "GREEN",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "AMBER",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "RED",
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "CLEAR",  # TLP 2.0
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "GREEN",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "AMBER",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "AMBER+STRICT",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "RED",
}


class TlpRefused(ValueError):
    """An object whose TLP marking Allied may not store (for this importer)."""


def _level(name: Any) -> str | None:
    """``TLP:AMBER+STRICT``, ``amber+strict``, ``TLP:WHITE``... as a level of ``LEVELS``."""
    if not isinstance(name, str):
        return None
    text = name.strip().upper().removeprefix("TLP:").removeprefix("TLP ").replace(" ", "")
    text = "CLEAR" if text == "WHITE" else text
    return text if text in LEVELS else None


def definition_level(definition: Mapping[str, Any]) -> str | None:
    """The TLP level a marking-definition object stands for, or None if it is not TLP."""
    kind = str(definition.get("definition_type", "")).lower()
    body = definition.get("definition")
    if kind == "tlp" and isinstance(body, Mapping):
        found = _level(body.get("tlp"))
        if found:
            return found
    if kind == "tlp" or "tlp" in str(definition.get("name", "")).lower():
        found = _level(definition.get("name"))
        if found:
            return found
    for extension in (definition.get("extensions") or {}).values():
        if isinstance(extension, Mapping) and "tlp_2_0" in extension:
            return _level(extension["tlp_2_0"])
    return None


def definitions_of(objects: list[Any]) -> dict[str, str]:
    """The TLP level of each marking definition among ``objects``, by id."""
    found: dict[str, str] = {}
    for obj in objects:
        if isinstance(obj, Mapping) and obj.get("type") == "marking-definition":
            level = definition_level(obj)
            if level is not None and isinstance(obj.get("id"), str):
                found[obj["id"]] = level
    return found


def _refs(obj: Mapping[str, Any]) -> list[Any]:
    """The marking definitions ``obj`` refers to, whole and granular (language markings aside)."""
    refs = list(obj.get("object_marking_refs") or [])
    for granular in obj.get("granular_markings") or []:
        if isinstance(granular, Mapping) and "marking_ref" in granular:
            refs.append(granular.get("marking_ref"))
    return refs


def tlp_of(obj: Mapping[str, Any], definitions: Mapping[str, str]) -> str | None:
    """The most restrictive TLP level ``obj`` is marked with (whole or granular), or None."""
    refs = _refs(obj)
    levels = [definitions.get(ref) or STANDARD.get(ref) for ref in refs if isinstance(ref, str)]
    known = [level for level in levels if level is not None]
    return max(known, key=LEVELS.index) if known else None


def unmapped_of(obj: Mapping[str, Any], definitions: Mapping[str, str]) -> list[str]:
    """The marking definitions ``obj`` refers to that are not TLP, so Allied cannot map them."""
    refs = dict.fromkeys(str(ref) for ref in _refs(obj))
    return [ref for ref in refs if ref not in definitions and ref not in STANDARD]


def noforn(marking: Marking) -> Marking:
    """``marking`` held to U.S. readers: NOFORN instead of any release or display list."""
    dissem = {c for c in marking.dissem if c not in {"REL", "RELIDO", "DISPLAY"}} | {"NF"}
    return replace(
        marking,
        dissem=tuple(c for c in DISSEM_ORDER if c in dissem),
        rel_to=(),
        display_to=(),
        rel_short=False,
    )


def apply_tlp(marking: Marking, level: str | None, importer_nation: str) -> Marking:
    """The marking an object marked ``marking`` and TLP ``level`` is stored with (see above)."""
    if level == "RED":
        raise TlpRefused(
            "TLP:RED is for the named recipients of one exchange only; Allied does not store it"
        )
    if level == "AMBER+STRICT":
        if importer_nation != "USA":
            raise TlpRefused(
                "TLP:AMBER+STRICT holds it to the recipient's own organisation; Allied can hold "
                "an object to U.S. readers only (NOFORN), so only a U.S. importer may bring it in"
            )
        return noforn(marking)
    return marking
