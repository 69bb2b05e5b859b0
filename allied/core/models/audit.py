"""The audit log: an append-only, hash-chained record of every read of marked content and decision.

Entries are written by :mod:`allied.core.audit` (``record`` and ``record_reads``) as plain inserts
in the request's transaction, *unsealed*: ``sequence``, ``prev_hash`` and ``hash`` are empty. The
one sealer (:mod:`allied.core.audit_sealer`) later fills them in, in batches, chaining each entry
to the one before it (see :mod:`allied.audit_chain`). That is the only change an entry ever
undergoes. Nothing in Django may change or remove one: the queryset refuses ``update()`` and
``delete()``, the model refuses to save an existing row or to delete itself, and on PostgreSQL
triggers refuse DELETE and TRUNCATE of the table and any UPDATE but sealing an unsealed entry
(its content unchanged), so raw SQL cannot rewrite history either (short of disabling the
triggers, which the chain then gives away). Unsealed entries are guarded by the same triggers:
between commit and seal an entry can no more be changed or removed than after.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AppendOnlyError(RuntimeError):
    """Someone tried to change or remove an audit entry."""


def _refuse(what: str) -> NoReturn:
    raise AppendOnlyError(f"the audit log is append-only: {what} is refused")


class AuditAction(models.TextChoices):
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Failed to sign in"
    LOGOUT = "logout", "Signed out"
    READ = "read", "Read"
    WRITE = "write", "Wrote"
    DELETE = "delete", "Deleted"
    DECISION = "decision", "Decided"
    EXPORT = "export", "Exported"
    SYSTEM_ACCESS = "system_access", "System access"
    DENIED = "denied", "Denied"


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Reads as usual; bulk changes and deletions are refused."""

    def update(self, **kwargs: Any) -> int:
        _refuse("update()")

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse("delete()")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        _refuse("bulk_update()")


#: The columns whose values are sealed, besides ``sequence`` and ``prev_hash``, in a fixed order.
CONTENT_FIELDS = (
    "at",
    "actor_id",
    "actor_name",
    "nation",
    "action",
    "object_type",
    "object_id",
    "marking",
    "detail",
)


class AuditEntry(models.Model):
    """One event: who (copied, so the record outlives the account), did what, to which object."""

    sequence = models.PositiveBigIntegerField(
        unique=True,
        null=True,
        blank=True,
        help_text="1, 2, 3, ... with no gaps: the entry's place in the chain; empty until sealed.",
    )
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
        help_text="Empty for the system itself and for a sign-in that failed.",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    nation = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100, blank=True, help_text='e.g. "intel.product".')
    object_id = models.CharField(max_length=255, blank=True)
    marking = models.TextField(
        blank=True, help_text="The canonical marking of what was read or written."
    )
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, null=True, blank=True)
    hash = models.CharField(max_length=64, null=True, blank=True)
    sealed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the sealer chained it (not sealed itself: it says how late, not what). "
        "Empty for entries sealed as they were written, before the sealer.",
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        # Queue order: the order entries were written in, sealed or not (``sequence`` is the
        # chain's order, which is the order the sealer saw them committed).
        ordering = ["id"]
        base_manager_name = "objects"
        verbose_name_plural = "audit entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sequence__gte=1), name="core_auditentry_sequence_from_one"
            ),
            # Sealed whole or not at all: the three chain columns are filled in together.
            models.CheckConstraint(
                condition=models.Q(sequence__isnull=True, prev_hash__isnull=True, hash__isnull=True)
                | models.Q(sequence__isnull=False, prev_hash__isnull=False, hash__isnull=False),
                name="core_auditentry_sealed_whole",
            ),
        ]
        indexes = [
            # The sealer's queue: the unsealed entries in id order, and only those.
            models.Index(
                fields=["id"],
                condition=models.Q(sequence__isnull=True),
                name="core_auditentry_unsealed",
            ),
        ]

    def __str__(self) -> str:
        who = self.actor_name or "system"
        what = f" {self.object_type}:{self.object_id}" if self.object_type else ""
        place = f"#{self.sequence}" if self.sequence is not None else f"unsealed (id {self.pk})"
        return f"{place} {self.at:%Y-%m-%d %H:%M:%S} {who} {self.action}{what}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("changing an entry")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("deleting an entry")

    def content(self) -> dict[str, object]:
        """What the hash seals besides the sequence number and the previous hash."""
        return {name: getattr(self, name) for name in CONTENT_FIELDS}

    @property
    def sealed(self) -> bool:
        return self.sequence is not None
