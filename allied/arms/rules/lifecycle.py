"""The FMS case lifecycle and DCS licence steps as data: stages, owners, targets and sources.

The stage order follows the reference (``arms-sales.md`` section 1 and the modelling note in
section 7). Targets are the published ones where there is one (LOR validation in 5 days, the
notification data within 10 days of the LOR, the review periods, the offer expiration date); the
Anticipated Offer Date groups' day counts are unconfirmed and say so.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


class Stage(enum.StrEnum):
    PRE_LOR = "pre_lor"
    LOR_RECEIVED = "lor_received"
    LOR_VALIDATED = "lor_validated"
    REVIEWS = "reviews"
    NOTIFICATION_DATA = "notification_data"
    LOA_DEVELOPMENT = "loa_development"
    INFORMAL_REVIEW = "informal_review"
    FORMAL_NOTIFICATION = "formal_notification"
    LOA_OFFERED = "loa_offered"
    ACCEPTED = "accepted"
    IMPLEMENTED = "implemented"
    EXECUTION = "execution"
    DELIVERED = "delivered"
    CLOSED = "closed"


@dataclass(frozen=True)
class StageInfo:
    stage: Stage
    label: str
    owner: str
    #: Published or customary target in days for the stage, when there is one.
    target_days: int | None
    source: str
    confirmed: bool = True


STAGES: tuple[StageInfo, ...] = (
    StageInfo(Stage.PRE_LOR, "Pre-LOR activities", "SCO", None, "DSCA 26-33 (PAR)"),
    StageInfo(
        Stage.LOR_RECEIVED,
        "Letter of request received",
        "Implementing agency",
        5,
        "DSCA 16-11: the IA validates within 5 days of receipt",
    ),
    StageInfo(
        Stage.LOR_VALIDATED,
        "LOR validated (actionable)",
        "Implementing agency",
        None,
        "SAMM Table C5.T3a",
    ),
    StageInfo(
        Stage.REVIEWS,
        "TSFD and releasability reviews (parallel)",
        "TSFDO / ATTR SSG",
        None,
        "DTSA ATTR SSG senior decision reviews: no published target",
        confirmed=False,
    ),
    StageInfo(
        Stage.NOTIFICATION_DATA,
        "Statutory notification data to DSCA",
        "Implementing agency",
        10,
        "SAMM Figure C5.F7: LOR copy within 10 days of the LOR",
    ),
    StageInfo(
        Stage.LOA_DEVELOPMENT,
        "Pricing and LOA development",
        "Implementing agency / DSCA CWD",
        None,
        "DSCA 12-08 (AOD)",
    ),
    StageInfo(
        Stage.INFORMAL_REVIEW,
        "Informal (tiered) review with SFRC and HFAC",
        "State PM/RSAT",
        None,
        "20 days NATO+ / 40 days others, customary (unconfirmed)",
        confirmed=False,
    ),
    StageInfo(
        Stage.FORMAL_NOTIFICATION,
        "Formal notification and review period",
        "DSCA",
        None,
        "AECA 36(b)(1): 15 or 30 days",
    ),
    StageInfo(
        Stage.LOA_OFFERED,
        "LOA offered",
        "Purchaser",
        85,
        "DSCA LOA Standardization Guide: OED normally 85 days from MILAP",
    ),
    StageInfo(Stage.ACCEPTED, "LOA accepted", "Implementing agency / DFAS", None, "SAMM C6.1.1"),
    StageInfo(Stage.IMPLEMENTED, "Implemented", "Implementing agency", None, "SAMM C6.1.2"),
    StageInfo(Stage.EXECUTION, "Execution", "Implementing agency", None, "SAMM C6.2-C6.7"),
    StageInfo(Stage.DELIVERED, "Delivered", "Implementing agency", None, "SCIP/EFTS"),
    StageInfo(Stage.CLOSED, "Closed", "Implementing agency / DFAS", None, "SAMM Chapter 16"),
)
STAGE_INFO = {info.stage: info for info in STAGES}
ORDER = {info.stage: n for n, info in enumerate(STAGES)}


def next_stage(stage: Stage) -> Stage | None:
    n = ORDER[stage] + 1
    return STAGES[n].stage if n < len(STAGES) else None


#: Stages that review a case: each completes only once no required review is pending and no
#: blocker is open, unless a case manager overrides it with a recorded reason.
REVIEW_STAGES = frozenset({Stage.REVIEWS, Stage.INFORMAL_REVIEW, Stage.FORMAL_NOTIFICATION})


@dataclass(frozen=True)
class Holds:
    """What keeps a review stage from completing: pending reviews and open blockers, by name."""

    pending_reviews: tuple[str, ...] = ()
    open_blockers: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.pending_reviews or self.open_blockers)

    def describe(self) -> str:
        parts = []
        if self.pending_reviews:
            parts.append("pending review(s): " + "; ".join(self.pending_reviews))
        if self.open_blockers:
            parts.append("open blocker(s): " + "; ".join(self.open_blockers))
        return " and ".join(parts)


def completion_holds(
    stage: Stage, pending_reviews: Iterable[str], open_blockers: Iterable[str]
) -> Holds:
    """What holds ``stage`` open: nothing for a stage that reviews nothing, else the pending
    required reviews and the open blockers (every review recorded on a case is required)."""
    if stage not in REVIEW_STAGES:
        return Holds()
    return Holds(tuple(pending_reviews), tuple(open_blockers))


class ReviewType(enum.StrEnum):
    """Technology security and foreign disclosure processes run by the ATTR SSG (DTSA)."""

    TSFD = "tsfd"
    LO_CLO = "lo_clo"
    NDP = "ndp"
    MIDP = "midp"
    NVD = "nvd"
    ANTI_TAMPER = "anti_tamper"
    COMSEC = "comsec"
    SAP = "sap"
    MTCR = "mtcr"
    INTELLIGENCE = "intelligence"
    DATA_LINKS = "data_links"
    PNT_GPS = "pnt_gps"
    GEOINT = "geoint"
    EW = "ew"


REVIEW_LABELS = {
    ReviewType.TSFD: "TSFD (ATTR SSG)",
    ReviewType.LO_CLO: "Low observable / counter-LO",
    ReviewType.NDP: "National Disclosure Policy",
    ReviewType.MIDP: "Military intelligence disclosure",
    ReviewType.NVD: "Night vision devices",
    ReviewType.ANTI_TAMPER: "Anti-tamper",
    ReviewType.COMSEC: "COMSEC",
    ReviewType.SAP: "Special access programs",
    ReviewType.MTCR: "MTCR",
    ReviewType.INTELLIGENCE: "Intelligence",
    ReviewType.DATA_LINKS: "Data links and waveforms",
    ReviewType.PNT_GPS: "PNT / GPS",
    ReviewType.GEOINT: "GEOINT",
    ReviewType.EW: "Electronic warfare",
}
# The reviews: https://www.dtsa.mil/SitePages/assessing-and-managing-risk/attr-ssg-senior-decision-reviews.aspx


class AodGroup(enum.StrEnum):
    """SAMM Table C5.T6 case groups for the Anticipated Offer Date."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


#: Days from validated LOR to the AOD by group: unconfirmed values (reference section 1, 5a).
AOD_DAYS: dict[AodGroup, int] = {AodGroup.A: 45, AodGroup.B: 100, AodGroup.C: 150, AodGroup.D: 100}
AOD_SOURCE = (
    "SAMM Table C5.T6 groups (DSCA 19-34, 21-66); day counts A 45 / B 100 / C 150 are "
    "unconfirmed; D (BPC) is given B's count here by assumption"
)
AOD_GOAL = 0.85
AOD_GOAL_SOURCE = "DSCA 12-08: 85% of LOAs offered on or before the AOD"
OED_DAYS = 85


def anticipated_offer_date(validated: date, group: AodGroup, notification_days: int = 0) -> date:
    """The AOD of a case validated on ``validated`` in ``group`` (unconfirmed day counts).

    ``notification_days`` (informal plus formal review, when Congress must be notified) are
    added: an LOA cannot be offered before the review period ends. That the AOD allows for them
    is this project's assumption.
    """
    return validated + timedelta(days=AOD_DAYS[group] + notification_days)


def offer_expiration(offered: date) -> date:
    return offered + timedelta(days=OED_DAYS)


class DcsStep(enum.StrEnum):
    SUBMITTED = "submitted"
    STAFFING = "staffing"
    NOTIFICATION = "notification"
    APPROVED = "approved"
    PROVISO = "approved_with_provisos"
    RETURNED = "returned_without_action"
    DENIED = "denied"


DCS_OPEN = frozenset({DcsStep.SUBMITTED, DcsStep.STAFFING, DcsStep.NOTIFICATION})
