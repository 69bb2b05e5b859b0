"""Serializer fields shared by every marked API: the marking, read and written as text."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from allied.core import vocabulary
from allied.core.models.marked import StoredMarking

MAX_MARKING_LENGTH = 1000


@extend_schema_field(
    {"type": "string", "maxLength": MAX_MARKING_LENGTH, "example": "SECRET//REL TO USA, JPN"}
)
class MarkingField(serializers.Field):
    """A marking as its canonical banner text. Input is validated strictly: every problem, with
    its rule, column and fix, comes back in one clear error on the field."""

    default_error_messages = {
        "type": "A marking is a string such as 'SECRET//REL TO USA, JPN'.",
    }

    def to_representation(self, value: StoredMarking) -> str:
        return value.text

    def to_internal_value(self, data: Any) -> StoredMarking:
        if not isinstance(data, str) or len(data) > MAX_MARKING_LENGTH:
            self.fail("type")
        explained = vocabulary.explain(data)
        if not explained.valid:
            raise serializers.ValidationError(list(explained.problems))
        return StoredMarking.objects.intern(data)
