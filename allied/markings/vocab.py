"""Controlled vocabularies of the marking system.

Country trigraphs come from ISO 3166 (the ``pycountry`` package), never from a hand-typed list.
Tetragraphs: FVEY, ACGU and TEYE expand to their members (rule 26, P7); every other tetragraph,
and every community code the project registers, is an opaque code that matches only itself.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property

import pycountry


class Level(IntEnum):
    """U.S.-equivalent classification levels, in order (rule 18: TS > S > C > U)."""

    U = 0
    C = 1
    S = 2
    TS = 3

    @property
    def title(self) -> str:
        return LEVEL_TITLES[self]

    @property
    def abbrev(self) -> str:
        return self.name


LEVEL_TITLES = {
    Level.U: "UNCLASSIFIED",
    Level.C: "CONFIDENTIAL",
    Level.S: "SECRET",
    Level.TS: "TOP SECRET",
}
LEVEL_BY_TITLE = {title: level for level, title in LEVEL_TITLES.items()}
LEVEL_BY_ABBREV = {level.name: level for level in Level}

# Tetragraphs whose membership is public and which may be expanded for roll-up (rule 26, table D).
EXPANDABLE_TETRAGRAPHS: dict[str, frozenset[str]] = {
    "FVEY": frozenset({"USA", "AUS", "CAN", "GBR", "NZL"}),
    "ACGU": frozenset({"USA", "AUS", "CAN", "GBR"}),
    "TEYE": frozenset({"USA", "CAN", "GBR"}),
}

# Other tetragraphs of the IC-ISM REL TO vocabulary (ISMCVE CVEnumISMRelTo.xml, 2011). Opaque (P7).
REGISTER_TETRAGRAPHS = frozenset(
    {
        "APFS",
        "BWCS",
        "CFCK",
        "CMFC",
        "CMFP",
        "CPMT",
        "CTOC",
        "CWCS",
        "EFOR",
        "EUDA",
        "GCTF",
        "GMIF",
        "ISAF",
        "KFOR",
        "MIFH",
        "MLEC",
        "NACT",
        "NATO",
        "OSTY",
        "SPAA",
        "UNCK",
    }
)

# Dissemination controls in Register order (rule 6), with P4's CUI placed beside FOUO.
# portion mark -> (banner abbreviation, banner title)
DISSEM_ORDER = (
    "RS",
    "FOUO",
    "CUI",
    "OC",
    "OC-USGOV",
    "IMC",
    "NF",
    # CUI limited dissemination controls (rule 30), in the CUI registry's order, only in CUI marks.
    "FED ONLY",
    "FEDCON",
    "NOCON",
    "DL ONLY",
    "PR",
    "REL",
    "RELIDO",
    "DSEN",
    "FISA",
    "DISPLAY",
)
DISSEM_BANNER = {
    "RS": "RSEN",
    "FOUO": "FOUO",
    "CUI": "CUI",
    "OC": "ORCON",
    "OC-USGOV": "ORCON-USGOV",
    "IMC": "IMCON",
    "NF": "NOFORN",
    "PR": "PROPIN",
    "RELIDO": "RELIDO",
    "DSEN": "DEA SENSITIVE",
    "FISA": "FISA",
    "FED ONLY": "FED ONLY",
    "FEDCON": "FEDCON",
    "NOCON": "NOCON",
    "DL ONLY": "DL ONLY",
}
DISSEM_TITLES = {
    "RS": "RISK SENSITIVE",
    "FOUO": "FOR OFFICIAL USE ONLY",
    "CUI": "CONTROLLED UNCLASSIFIED INFORMATION",
    "OC": "ORIGINATOR CONTROLLED",
    "OC-USGOV": "ORIGINATOR CONTROLLED-USGOV",
    "IMC": "CONTROLLED IMAGERY",
    "NF": "NOT RELEASABLE TO FOREIGN NATIONALS",
    "PR": "CAUTION-PROPRIETARY INFORMATION INVOLVED",
    "RELIDO": "RELEASABLE BY INFORMATION DISCLOSURE OFFICIAL",
    "FISA": "FOREIGN INTELLIGENCE SURVEILLANCE ACT",
}
# Controls that decide foreign disclosure and release (rule 24).
FDR_CONTROLS = frozenset({"NF", "REL", "RELIDO", "DISPLAY"})
# The CUI registry's limited dissemination controls beside NOFORN, REL TO and DISPLAY ONLY
# (rule 30): each limits CUI to U.S. federal employees, contractors or a list, so none of them
# reaches a foreign viewer.
CUI_LDCS = frozenset({"FED ONLY", "FEDCON", "NOCON", "DL ONLY"})
#: Controls of a CUI mark that exclude one another (rule 30).
CUI_EXCLUSIVE = (("FED ONLY", "FEDCON"), ("NOCON", "FEDCON"))

NONIC_ORDER = ("DS", "XD", "ND", "SBU", "SBU-NF", "LES", "LES-NF", "SSI")
NONIC_BANNER = {
    "DS": "LIMDIS",
    "XD": "EXDIS",
    "ND": "NODIS",
    "SBU": "SBU",
    "SBU-NF": "SBU NOFORN",
    "LES": "LES",
    "LES-NF": "LES NOFORN",
    "SSI": "SSI",
}
NONIC_TITLES = {
    "DS": "LIMITED DISTRIBUTION",
    "XD": "EXCLUSIVE DISTRIBUTION",
    "ND": "NO DISTRIBUTION",
    "SBU": "SENSITIVE BUT UNCLASSIFIED",
    "LES": "LAW ENFORCEMENT SENSITIVE",
    "SSI": "SENSITIVE SECURITY INFORMATION",
}

# SCI control systems of the IC-ISM SCI vocabulary (ISMCVE CVEnumISMSCIControls.xml). Purely numeric
# control systems (rule 7's example "123") are also accepted.
SCI_SYSTEMS = frozenset({"BUR", "EL", "HCS", "KDK", "RSV", "SI", "TK"})
# Atomic Energy Act markings, banner precedence RD > FRD > TFNI (rule 19).
AEA_ORDER = ("RD", "RD-CNWDI", "FRD", "TFNI")

_STOPWORDS = frozenset({"OF", "THE", "AND"})


@dataclass(frozen=True)
class Vocabulary:
    """The country and community codes a marking may name.

    ``communities`` are the project's own community codes (registered from the registry); like the
    register's other tetragraphs they are opaque (P7). Instances are immutable so that parse results
    can be cached per vocabulary.
    """

    communities: frozenset[str] = field(default_factory=frozenset)

    @cached_property
    def trigraphs(self) -> frozenset[str]:
        return _ISO_TRIGRAPHS

    @cached_property
    def tetragraphs(self) -> frozenset[str]:
        return frozenset(EXPANDABLE_TETRAGRAPHS) | REGISTER_TETRAGRAPHS | self.communities

    def is_code(self, code: str) -> bool:
        return code in _ISO_TRIGRAPHS or code in self.tetragraphs

    def is_trigraph(self, code: str) -> bool:
        return code in _ISO_TRIGRAPHS

    def with_communities(self, codes: Iterable[str]) -> Vocabulary:
        return Vocabulary(communities=self.communities | frozenset(codes))

    def suggest_code(self, token: str) -> str | None:
        """The code a person most likely meant by an unknown country code (``JAP`` -> ``JPN``)."""
        token = token.upper().strip()
        if not token:
            return None
        if self.is_code(token):
            return token
        if len(token) == 2 and token in _ALPHA2:
            return _ALPHA2[token]
        if token in _COMMON_NAMES:
            return _COMMON_NAMES[token]
        # A prefix of the country's name: JAP -> Japan -> JPN.
        by_name = [code for name, code in _NAMES if name.startswith(token)]
        if len(by_name) == 1:
            return by_name[0]
        # Initials of the name: ROK -> Republic Of Korea -> KOR.
        by_initials = [code for initials, code in _INITIALS if initials == token]
        if len(by_initials) == 1:
            return by_initials[0]
        close = difflib.get_close_matches(token, sorted(self.tetragraphs | _ISO_TRIGRAPHS), n=1)
        return close[0] if close else None


def _names() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    names: list[tuple[str, str]] = []
    initials: list[tuple[str, str]] = []
    for country in pycountry.countries:
        spellings = {country.name, getattr(country, "official_name", country.name)}
        common = getattr(country, "common_name", None)
        if common:
            spellings.add(common)
        for spelling in spellings:
            upper = spelling.upper()
            names.append((upper, country.alpha_3))
            # "Korea, Republic of" is also read "Republic of Korea".
            if ", " in upper:
                head, tail = upper.split(", ", 1)
                names.append((f"{tail} {head}", country.alpha_3))
                upper = f"{tail} {head}"
            words = re.findall(r"[A-Z]+", upper)
            initials.append(("".join(w[0] for w in words), country.alpha_3))
            initials.append(("".join(w[0] for w in words if w not in _STOPWORDS), country.alpha_3))
    return names, initials


_ISO_TRIGRAPHS = frozenset(c.alpha_3 for c in pycountry.countries)
_ALPHA2 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
# Names people use that ISO 3166 does not: they map to ISO codes.
_COMMON_NAMES = {"UK": "GBR", "ROK": "KOR", "DPRK": "PRK", "PRC": "CHN", "ROC": "TWN"}
_NAMES, _INITIALS = _names()
DEFAULT_VOCABULARY = Vocabulary()
_current: list[Vocabulary] = [DEFAULT_VOCABULARY]


def default_vocabulary() -> Vocabulary:
    """The vocabulary ``parse`` and ``check`` use when none is given."""
    return _current[0]


def use_communities(codes: Iterable[str]) -> Vocabulary:
    """Make ``codes`` (the project's community codes, opaque per P7) known to every later parse.

    The application calls this with its registry's codes; the pure core keeps no other state.
    """
    vocabulary = Vocabulary(communities=frozenset(codes))
    _current[0] = vocabulary
    return vocabulary


def code_sort_key(code: str) -> tuple[int, str]:
    """Trigraphs first, then tetragraphs and community codes, alphabetical (rules 8, 11, 12)."""
    return (0 if code in _ISO_TRIGRAPHS else 1, code)


def rel_sort_key(code: str) -> tuple[int, str]:
    """USA first, then trigraphs, then tetragraphs, each alphabetical (rule 8)."""
    if code == "USA":
        return (-1, code)
    return code_sort_key(code)


def expand(codes: Iterable[str]) -> frozenset[str]:
    """Codes with FVEY, ACGU and TEYE replaced by their members (rule 26, P7); USA removed."""
    out: set[str] = set()
    for code in codes:
        members = EXPANDABLE_TETRAGRAPHS.get(code)
        if members is None:
            out.add(code)
        else:
            out |= members
    out.discard("USA")
    return frozenset(out)
