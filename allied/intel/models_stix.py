"""STIX 2.1 objects imported into Allied (from MISP, OpenCTI or a partner's TAXII server).

Each object is stored whole, as JSON, and marked: with the marking its own Allied extension
carries, or with the marking the importer gave the bundle. TAXII serves each principal only the
objects whose marking it may see.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from allied.core.models.marked import MarkedModel


class StixObject(MarkedModel):
    collection = models.CharField(max_length=64, db_index=True)
    stix_id = models.CharField(max_length=100)
    stix_type = models.CharField(max_length=64)
    modified = models.DateTimeField()
    date_added = models.DateTimeField(db_index=True)
    body = models.JSONField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        app_label = "intel"
        ordering = ["date_added", "pk"]
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "stix_id", "modified"], name="stix_version_once"
            )
        ]
        indexes = [models.Index(fields=["collection", "date_added", "id"])]

    def __str__(self) -> str:
        return self.stix_id
