"""The markings engine: parse, validate, render, roll up and decide releasability.

A pure core with no framework import (an import-linter contract in CI keeps it so). Rule numbers
refer to ``markings.md``, the project's rule set (CAPCO register and IC-ISM), and P1-P8 to its
policy choices.
"""

from allied.markings.model import (
    CheckResult,
    Compartment,
    Control,
    Marking,
    MarkingError,
    Problem,
)
from allied.markings.parser import check, parse
from allied.markings.render import banner_colour, render
from allied.markings.vocab import (
    DEFAULT_VOCABULARY,
    Level,
    Vocabulary,
    default_vocabulary,
    use_communities,
)

__all__ = [
    "DEFAULT_VOCABULARY",
    "CheckResult",
    "Compartment",
    "Control",
    "Level",
    "Marking",
    "MarkingError",
    "Problem",
    "Vocabulary",
    "banner_colour",
    "check",
    "default_vocabulary",
    "parse",
    "render",
    "use_communities",
]
