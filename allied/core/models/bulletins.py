"""Coordination bulletins: short marked notes that the working group and liaisons exchange."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from allied.core.models.marked import MarkedModel


class Bulletin(MarkedModel):
    """A short note with one marking, shown on the home pages of those who may see it."""

    title = models.CharField(max_length=200)
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-pk"]
        base_manager_name = "objects"
        # The home page's newest bulletins and the list's pages are read newest first: from this
        # index, stopping after the page, rather than by sorting every visible bulletin.
        indexes = [models.Index(fields=["-created", "-id"], name="core_bulletin_newest")]

    def __str__(self) -> str:
        return self.title
