"""Core models: the registry of nations and communities, principals, markings and the audit log.

One module per concern; everything is re-exported here so ``allied.core.models.X`` works.
"""

from allied.core.models.audit import AuditAction, AuditEntry  # noqa: F401 (re-exported)
from allied.core.models.bulletins import Bulletin
from allied.core.models.marked import (
    MarkedModel,
    MarkedQuerySet,
    NotVisibleAfterWrite,
    StoredMarking,
    UnscopedQueryError,
    system_access,
)
from allied.core.models.partners import TrustTier
from allied.core.models.principals import (
    ROLE_REACH,
    Clearance,
    Principal,
    Reach,
    Role,
    principal_for,
    reach_of,
)
from allied.core.models.registry import (
    AgreementKind,
    Community,
    CommunityKind,
    DatePrecision,
    Membership,
    Nation,
    SecurityAgreement,
)

__all__ = [
    "ROLE_REACH",
    "AgreementKind",
    "Bulletin",
    "Clearance",
    "Community",
    "CommunityKind",
    "DatePrecision",
    "MarkedModel",
    "MarkedQuerySet",
    "Membership",
    "Nation",
    "NotVisibleAfterWrite",
    "Principal",
    "Reach",
    "Role",
    "SecurityAgreement",
    "StoredMarking",
    "TrustTier",
    "UnscopedQueryError",
    "principal_for",
    "reach_of",
    "system_access",
]
