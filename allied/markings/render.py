"""Canonical rendering of markings in banner and portion form (rules 1-13)."""

from __future__ import annotations

from dataclasses import replace

from allied.markings.model import Control, Form, Marking
from allied.markings.vocab import DISSEM_BANNER, NONIC_BANNER, Level


def render_control(control: Control) -> str:
    """``SI-G ABCD DEFG-MMM AACD`` (rule 2, 7)."""
    parts = [control.system]
    for comp in control.compartments:
        parts.append(" ".join((comp.name, *comp.subs)))
    return "-".join(parts)


def render_classification(marking: Marking, form: Form) -> str:
    banner = form == "banner"
    if marking.kind == "us":
        return marking.level.title if banner else marking.level.abbrev
    if marking.kind == "joint":
        level = marking.level.title if banner else marking.level.abbrev
        return "//JOINT " + " ".join((level, *marking.owners))
    # A non-U.S. classification keeps its owner's abbreviation (rule 3 example //DEU TS).
    owner = marking.owners[0] if marking.owners else "FGI"
    return f"//{owner} {marking.level.abbrev}"


def render_dissem(marking: Marking, form: Form) -> str:
    banner = form == "banner"
    values: list[str] = []
    for control in marking.dissem:
        if control == "REL":
            if marking.rel_short and not banner:
                values.append("REL")
            else:
                values.append("REL TO " + ", ".join(marking.rel_to))
        elif control == "DISPLAY":
            values.append("DISPLAY ONLY " + ", ".join(marking.display_to))
        else:
            values.append(DISSEM_BANNER[control] if banner else control)
    return "/".join(values)


def render_cui(marking: Marking, form: Form) -> str:
    """A mark in the CUI registry's form: ``CUI//SP-CTI/PRVCY//NOFORN`` (rule 30)."""
    categories = ["CUI"]
    if marking.cui:
        categories.append("/".join(marking.cui))
    ldcs = tuple(c for c in marking.dissem if c != "CUI")
    if ldcs:
        categories.append(render_dissem(replace(marking, dissem=ldcs), form))
    text = "//".join(categories)
    return f"({text})" if form == "portion" else text


def render(marking: Marking, form: Form = "banner") -> str:
    """The canonical text of ``marking``: a banner line, or a portion mark in parentheses."""
    if marking.cui is not None:
        return render_cui(marking, form)
    categories = [render_classification(marking, form)]
    if marking.sci:
        categories.append("/".join(render_control(c) for c in marking.sci))
    if marking.sap:
        categories.append("SAR-" + "/".join(render_control(c) for c in marking.sap))
    if marking.aea:
        categories.append("/".join(marking.aea))
    if marking.fgi is not None:
        categories.append(" ".join(("FGI", *marking.fgi)))
    if marking.dissem:
        categories.append(render_dissem(marking, form))
    if marking.nonic:
        if form == "banner":
            categories.append("/".join(NONIC_BANNER[c] for c in marking.nonic))
        else:
            categories.append("/".join(marking.nonic))
    text = "//".join(categories)
    return f"({text})" if form == "portion" else text


def banner_colour(marking: Marking) -> str:
    """The standard banner colour name: green U, blue C, red S, orange TS, yellow with SCI."""
    if marking.sci:
        return "yellow"
    return {Level.U: "green", Level.C: "blue", Level.S: "red", Level.TS: "orange"}[marking.level]
