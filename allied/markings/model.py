"""The marking value and the problems found in one."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from allied.markings.vocab import FDR_CONTROLS, Level

Kind = Literal["us", "fgi", "joint"]
Form = Literal["banner", "portion"]


@dataclass(frozen=True, slots=True, order=True)
class Compartment:
    """A compartment of an SCI control system or SAP, with its sub-compartments (rule 2, 7)."""

    name: str
    subs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class Control:
    """An SCI control system or special access program with its compartments (rule 7)."""

    system: str
    compartments: tuple[Compartment, ...] = ()

    def access_tokens(self, prefix: str = "") -> list[str]:
        """What a viewer must hold to see this: the system, each compartment and sub-compartment."""
        tokens = [prefix + self.system]
        for comp in self.compartments:
            tokens.append(f"{prefix}{self.system}-{comp.name}")
            tokens.extend(f"{prefix}{self.system}-{comp.name} {sub}" for sub in comp.subs)
        return tokens


@dataclass(frozen=True, slots=True)
class Marking:
    """One classification marking, independent of whether it is written as a banner or a portion.

    Every tuple is kept in its canonical order, so two equal markings compare equal.

    * ``kind``: ``us`` for U.S. classified information; ``fgi`` for a non-U.S. portion or banner
      (``//GBR S``; ``owners`` is empty when the source is concealed, ``//FGI S``); ``joint`` for
      jointly owned information (``//JOINT S CAN GBR USA``).
    * ``fgi``: the FGI category of a U.S. marking: ``None`` when absent, ``()`` for concealed
      ``FGI``, otherwise the acknowledged source codes.
    * ``dissem``: dissemination controls as portion marks in Register order; ``REL`` stands for
      REL TO (its list in ``rel_to``, USA first) and ``DISPLAY`` for DISPLAY ONLY (``display_to``).
    * ``rel_short``: a portion that wrote just ``REL``: its list is the banner's (rule 10).
    * ``cui``: ``None`` for a classification marking; for a mark in the CUI registry's form
      (``CUI//SP-CTI//NOFORN``, ``(CUI)``, rule 30) its categories, CUI Specified (``SP-``)
      first; such a marking is UNCLASSIFIED, with ``CUI`` and its limited dissemination
      controls in ``dissem``.
    """

    level: Level
    kind: Kind = "us"
    owners: tuple[str, ...] = ()
    sci: tuple[Control, ...] = ()
    sap: tuple[Control, ...] = ()
    aea: tuple[str, ...] = ()
    fgi: tuple[str, ...] | None = None
    dissem: tuple[str, ...] = ()
    rel_to: tuple[str, ...] = ()
    display_to: tuple[str, ...] = ()
    nonic: tuple[str, ...] = ()
    rel_short: bool = False
    cui: tuple[str, ...] | None = None

    def has(self, control: str) -> bool:
        return control in self.dissem or control in self.nonic

    @property
    def has_fdr(self) -> bool:
        """Whether the marking carries an explicit foreign disclosure or release marking."""
        return any(c in FDR_CONTROLS for c in self.dissem) or (
            "SBU-NF" in self.nonic or "LES-NF" in self.nonic
        )

    @property
    def is_noforn(self) -> bool:
        return "NF" in self.dissem or "SBU-NF" in self.nonic or "LES-NF" in self.nonic

    @property
    def is_foreign(self) -> bool:
        return self.kind != "us"

    def with_rel_to(self, codes: tuple[str, ...]) -> Marking:
        """This marking with the short ``REL`` form resolved to ``codes`` (rule 10)."""
        return replace(self, rel_to=codes, rel_short=False)

    def render(self, form: Form = "banner") -> str:
        from allied.markings.render import render

        return render(self, form)

    def __str__(self) -> str:
        return self.render("banner")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a marking, as a person can act on it.

    ``rule`` is the rule number of ``markings.md`` (``"8"``) or a policy choice (``"P5"``);
    ``position`` is the 0-based offset of ``token`` in the text that was checked; ``fix`` is the
    corrected text of the token where the correction is mechanical.
    """

    rule: str
    message: str
    token: str
    position: int
    fix: str | None = None

    def __str__(self) -> str:
        text = (
            f"column {self.position + 1}, {self.token!r}: {self.message} ({_rule_label(self.rule)})"
        )
        if self.fix is not None and self.fix != self.token:
            text += f"; did you mean {self.fix}?"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "message": self.message,
            "token": self.token,
            "position": self.position,
            "fix": self.fix,
        }


def _rule_label(rule: str) -> str:
    return f"policy {rule}" if rule.startswith("P") else f"rule {rule}"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What checking a marking found: the marking (repaired where every fix is mechanical)."""

    text: str
    form: Form
    marking: Marking | None
    problems: tuple[Problem, ...] = field(default=())
    # Whether lenient parsing may accept the repaired marking (never for EYES ONLY, P5).
    repairable: bool = True
    # What is valid but ought to change, with its replacement (the obsolete FOUO, rule 30).
    notices: tuple[Problem, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return not self.problems and self.marking is not None

    @property
    def canonical(self) -> str | None:
        """The canonical form: of the marking as written, or of its mechanical repair."""
        return None if self.marking is None else self.marking.render(self.form)


class MarkingError(ValueError):
    """A marking that is not valid as written. ``problems`` lists every problem found."""

    def __init__(self, result: CheckResult) -> None:
        self.result = result
        self.problems = result.problems
        lines = [f"invalid marking {result.text!r}:"] + [f"  - {p}" for p in result.problems]
        if result.canonical is not None:
            lines.append(f"  canonical form: {result.canonical}")
        super().__init__("\n".join(lines))
