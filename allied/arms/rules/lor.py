"""Is a draft letter of request complete? The SAMM C5.1.2 contents, the Figure C5.F14 checklist
and system-specific checklists, as data.

Each ``Check`` names the field it reads, when it applies, what a complete LOR says, where that
comes from and why leaving it out delays a case. ``check`` returns the gaps of a draft, most
delaying first, so a purchaser can fix them before submitting.

The system-specific checklists here are fictional examples in the shape DSCA 18-09 asks the
implementing agencies to publish; they are not any agency's checklist.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

SAMM_C5_1_2 = "SAMM C5.1.2, https://samm.dsca.mil/chapter/chapter-5"
OLD_SAMM = "SAMM C5.1 (older text), http://www.dsca.osd.mil/samm/ESAMM/C05/5.01.htm"
F14 = "SAMM Figure C5.F14 (LOR checklist)"
GAO_17_682 = "GAO-17-682, https://www.gao.gov/products/gao-17-682"
DSCA_18_09 = "DSCA 18-09, http://samm.dsca.mil/policy-memoranda/dsca-18-09"
DSCA_14_28 = "DSCA 14-28, https://samm.dsca.mil/node/12017"
FCG_APP1 = "DSCA Foreign Customer Guide, Appendix 1 (LOR guide)"
DSCA_26_33 = "DSCA 26-33 (PAR), https://samm.dsca.mil/policy-memoranda/dsca-26-33"
CUSTOMER_REF = "LOA Standardization Guide, Customer Reference, https://www.dsca.mil/loa-standardization-guide/2-customer-reference"


class Severity(enum.IntEnum):
    #: The LOR is not actionable: the IA must go back to the purchaser before anything starts.
    BLOCKS = 3
    #: The case can start, but a later step waits for the answer.
    DELAYS = 2
    #: Good practice; its absence costs a round of questions.
    ADVISED = 1

    @property
    def label(self) -> str:
        return {3: "Not actionable", 2: "Will delay the case", 1: "Advised"}[self.value]


REQUEST_KINDS = ("pa", "loa", "amendment", "modification")
REQUEST_KIND_LABELS = {
    "pa": "Price and availability (P&A) data",
    "loa": "Letter of offer and acceptance (LOA)",
    "amendment": "LOA amendment",
    "modification": "LOA modification",
}
FINANCING = ("cash", "fmf", "credit", "other")
FINANCING_LABELS = {
    "cash": "National funds (cash)",
    "fmf": "Foreign Military Financing (FMS Credit, non-repayable)",
    "credit": "Repayable credit or loan",
    "other": "Other",
}


Draft = Mapping[str, Any]


def _text(draft: Draft, key: str) -> str:
    value = draft.get(key)
    return value.strip() if isinstance(value, str) else ""


def _filled(key: str, minimum: int = 1) -> Callable[[Draft], bool]:
    return lambda d: len(_text(d, key)) >= minimum


def _always(_: Draft) -> bool:
    return True


@dataclass(frozen=True)
class Check:
    key: str
    field: str
    text: str
    why: str
    source: str
    severity: Severity
    passes: Callable[[Draft], bool]
    applies: Callable[[Draft], bool] = _always
    system: str | None = None


@dataclass(frozen=True)
class Gap:
    key: str
    field: str
    text: str
    why: str
    source: str
    severity: Severity
    system: str | None


def _addressed(*who: str) -> Callable[[Draft], bool]:
    return lambda d: set(who) <= set(d.get("addressees") or ())


def _is_blanket(d: Draft) -> bool:
    return bool(d.get("blanket_order"))


def _is_fmf(d: Draft) -> bool:
    return d.get("financing") == "fmf"


def _is_mde(d: Draft) -> bool:
    return bool(d.get("mde"))


def _wants_case(d: Draft) -> bool:
    return d.get("request_kind") in ("loa", "amendment", "modification")


def _positive(key: str) -> Callable[[Draft], bool]:
    def ok(d: Draft) -> bool:
        value = d.get(key)
        return isinstance(value, (int, float)) and value > 0

    return ok


def _declared(d: Draft) -> bool:
    # "none" is an answer; silence is not.
    return d.get("third_parties") in ("none", "declared") and (
        d.get("third_parties") == "none" or len(_text(d, "third_party_details")) >= 5
    )


COMMON: tuple[Check, ...] = (
    Check(
        "in_writing",
        "originator",
        "The LOR is in writing and names its originator and address.",
        "An LOR without a traceable originator cannot be acknowledged or validated.",
        f"{SAMM_C5_1_2}; {OLD_SAMM}",
        Severity.BLOCKS,
        _filled("originator", 5),
    ),
    Check(
        "reference",
        "reference_number",
        "The LOR carries a traceable reference number (letter serial).",
        "Without a serial, later changes and the Customer Reference field cannot be traced to "
        "this request.",
        OLD_SAMM,
        Severity.BLOCKS,
        _filled("reference_number", 3),
    ),
    Check(
        "request_kind",
        "request_kind",
        "It says whether it asks for P&A data, an LOA, an amendment or a modification.",
        "The IA cannot open the right document in DSAMS until it knows what is asked for.",
        f"{SAMM_C5_1_2}; {OLD_SAMM}",
        Severity.BLOCKS,
        lambda d: d.get("request_kind") in REQUEST_KINDS,
    ),
    Check(
        "articles",
        "articles",
        "It identifies the articles and services in enough detail for an accurate estimate.",
        "GAO found LORs without enough detail send DoD back to the customer and cause "
        "significant delays in defining contract requirements.",
        f"{OLD_SAMM}; {GAO_17_682}",
        Severity.BLOCKS,
        _filled("articles", 40),
    ),
    Check(
        "quantity",
        "quantity",
        "It gives quantities.",
        "Pricing and the notification values depend on quantities; without them the case "
        "cannot be priced.",
        F14,
        Severity.BLOCKS,
        _positive("quantity"),
    ),
    Check(
        "financing",
        "financing",
        "It states the proposed method of financing.",
        "The case cannot be written (or the LOA offered) until financing is known.",
        OLD_SAMM,
        Severity.DELAYS,
        lambda d: d.get("financing") in FINANCING,
    ),
    Check(
        "fmf_wording",
        "financing_text",
        'An FMF-funded LOR says "FMS Credit (Non-Repayable)" and is copied to State PM/SA and '
        "the DSCA CPD.",
        "Without the wording and copies the financing cannot be committed, and the LOA waits.",
        DSCA_14_28,
        Severity.DELAYS,
        lambda d: "fms credit (non-repayable)" in _text(d, "financing_text").lower(),
        applies=_is_fmf,
    ),
    Check(
        "blanket_value",
        "blanket_value",
        "A blanket order gives the desired materiel and services value or the total case value.",
        "A blanket order case has no lines to price without a value.",
        OLD_SAMM,
        Severity.BLOCKS,
        _positive("blanket_value"),
        applies=_is_blanket,
    ),
    Check(
        "third_parties",
        "third_parties",
        "It declares any third-party involvement (contractors, agents), or says there is none.",
        "Undeclared third parties stop the case when they surface: their reviews start late.",
        OLD_SAMM,
        Severity.DELAYS,
        _declared,
    ),
    Check(
        "addressees",
        "addressees",
        "It is addressed to DSCA and the implementing agency, with copies to the SCO and the "
        "combatant command.",
        "An LOR that does not reach DSCA and the IA is not received; copies let the SCO and "
        "the CCMD endorse it.",
        f"{FCG_APP1}; DSCA 10-71",
        Severity.DELAYS,
        _addressed("DSCA", "IA", "SCO", "CCMD"),
    ),
    Check(
        "state_pm",
        "addressees",
        "A request for major defense equipment is also sent to State PM.",
        "State's review of an MDE request starts only when it receives the LOR.",
        FCG_APP1,
        Severity.DELAYS,
        _addressed("STATE_PM"),
        applies=_is_mde,
    ),
    Check(
        "checklist",
        "used_checklist",
        "The purchaser went through the Figure C5.F14 checklist with its SCO.",
        "GAO found LORs prepared without the checklist are the ones sent back for detail.",
        f"{F14}; {GAO_17_682}",
        Severity.ADVISED,
        lambda d: bool(d.get("used_checklist")),
    ),
    Check(
        "delivery",
        "delivery",
        "It states delivery needs (required delivery date, ship-to).",
        "Delivery needs enter the Customer Reference; missing, they are asked for at LOA writing.",
        CUSTOMER_REF,
        Severity.ADVISED,
        _filled("delivery", 5),
        applies=_wants_case,
    ),
    Check(
        "training",
        "training",
        "It states training and sustainment needs (or that there are none).",
        "Training and sustainment lines added after the offer mean an amendment and a new review.",
        CUSTOMER_REF,
        Severity.ADVISED,
        _filled("training", 4),
        applies=_wants_case,
    ),
    Check(
        "par",
        "par",
        "For a first-time or sensitive system, a Pre-LOR Assessment Request started TSFD early.",
        "Releasability reviews not started early are the longest wait in many cases.",
        DSCA_26_33,
        Severity.ADVISED,
        lambda d: bool(d.get("par")),
        applies=lambda d: bool(d.get("first_time")),
    ),
)


def _sys(
    system: str,
    key: str,
    fld: str,
    text: str,
    why: str,
    severity: Severity = Severity.DELAYS,
    minimum: int = 3,
) -> Check:
    return Check(
        f"{system}:{key}",
        f"system.{fld}",
        text,
        why,
        f"Fictional example of an IA system-specific checklist ({DSCA_18_09})",
        severity,
        lambda d: len(str((d.get("system_answers") or {}).get(fld, "")).strip()) >= minimum,
        applies=lambda d: d.get("system") == system,
        system=system,
    )


SYSTEMS: Mapping[str, str] = {
    "amraam": "Air-to-air missile (AMRAAM-class)",
    "patriot": "Air and missile defence battery (PATRIOT-class)",
    "helicopter": "Utility or attack helicopter",
    "uas": "Medium-altitude unmanned aircraft",
}

SYSTEM_CHECKS: tuple[Check, ...] = (
    _sys(
        "amraam",
        "platform",
        "platform",
        "The aircraft the missile will be integrated on.",
        "Integration and software releasability depend on the platform.",
        Severity.BLOCKS,
    ),
    _sys(
        "amraam",
        "variant",
        "variant",
        "The variant and configuration requested.",
        "Each variant has its own disclosure decision.",
    ),
    _sys(
        "amraam",
        "captive",
        "captive_carry",
        "Captive-carry and training rounds wanted.",
        "Training rounds are separate lines that change the notification value.",
    ),
    _sys(
        "patriot",
        "site",
        "site",
        "The intended sites and the threat described.",
        "Site surveys and the TSFD review need them.",
        Severity.BLOCKS,
    ),
    _sys(
        "patriot",
        "interop",
        "interoperability",
        "Systems it must exchange data with.",
        "Data link and waveform reviews start only when the links are known.",
    ),
    _sys(
        "helicopter",
        "role",
        "role",
        "Role and mission equipment (armament, sensors).",
        "Mission equipment decides the MDE value and the reviews.",
        Severity.BLOCKS,
    ),
    _sys(
        "helicopter",
        "nvd",
        "night_vision",
        "Night-vision equipment wanted.",
        "Night vision devices need their own review.",
    ),
    _sys(
        "uas",
        "payloads",
        "payloads",
        "Payloads and their intended use.",
        "MTCR Category I treatment and the intelligence review depend on payloads.",
        Severity.BLOCKS,
    ),
    _sys(
        "uas",
        "ground",
        "ground_segment",
        "Ground stations and satellite links wanted.",
        "PNT/GPS and data-link reviews need the ground segment.",
    ),
)

ALL_CHECKS: tuple[Check, ...] = COMMON + SYSTEM_CHECKS


def check(draft: Draft, checks: tuple[Check, ...] = ALL_CHECKS) -> list[Gap]:
    """The gaps of ``draft``, most delaying first (then in checklist order)."""
    gaps = [
        Gap(c.key, c.field, c.text, c.why, c.source, c.severity, c.system)
        for c in checks
        if c.applies(draft) and not c.passes(draft)
    ]
    order = {c.key: n for n, c in enumerate(checks)}
    return sorted(gaps, key=lambda g: (-g.severity, order[g.key]))


def actionable(draft: Draft) -> bool:
    """Whether no gap makes the LOR non-actionable."""
    return all(g.severity < Severity.BLOCKS for g in check(draft))
