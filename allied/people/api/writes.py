"""Writing people records through the API: officials, billets, postings, pairs, language results.

Each serializer here is the write side of a record endpoint (``api/records.py``): the records it
may point to (an official, a billet) are the caller's restricted querysets, so a hidden one is
"not a valid choice" exactly like a missing one; the marking is checked by the markings engine
(``MarkingField``); and the checks the analysis relies on are those of the page forms
(``allied.people.records``), with the same words, on the same fields. The write itself goes
through ``RestrictedViewSetMixin`` (one transaction, its audit entry, a marking the caller could
not read back refused with 400).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from allied.core.api.fields import MarkingField
from allied.core.forms import not_after_today
from allied.core.models.registry import Nation
from allied.core.restricted import viewer_of
from allied.people import records, ties
from allied.people.models import Billet, CrisisPair, LanguageSkill, Official, Posting
from allied.people.rules.ilr import LevelError, format_level, parse_level

#: A marked record chosen by its typed id, not from a list: the browsable API's form would
#: otherwise show the caller every official or billet it may see, unrecorded.
TYPED = {"base_template": "input.html"}


@extend_schema_field({"type": "string", "example": "2+"})
class LevelField(serializers.Field):
    """An ILR level written as on the scale: 0 to 5, with plus levels 0+ to 4+."""

    def to_representation(self, value: int) -> str:
        return format_level(value)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, (str, int)):
            raise serializers.ValidationError("An ILR level is text such as '2' or '2+'.")
        try:
            return parse_level(str(data))
        except LevelError as problem:
            raise serializers.ValidationError(str(problem)) from None


class PeopleWriteSerializer(serializers.ModelSerializer):
    """The write side of one people record. ``marked`` names the fields that choose a marked
    record; each is given the caller's restricted queryset."""

    marking = MarkingField()
    marked: tuple[tuple[str, type[Any]], ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        for name, model in self.marked:
            field = self.fields[name]
            field.queryset = (
                model.objects.none()
                if request is None
                else ties.visible(model, viewer_of(request)).select_related("marking")
            )

    def values(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The record's fields after this write (a partial update keeps the others)."""
        instance = self.instance
        marked = {name for name, _ in self.marked}
        out = {}
        for name in self.Meta.fields:
            if name in attrs:
                out[name] = attrs[name]
            elif instance is not None and name in marked:
                # The record it points to, read through the caller's restricted queryset.
                pk = getattr(instance, f"{name}_id")
                out[name] = self.fields[name].queryset.filter(pk=pk).first()
            elif instance is not None:
                out[name] = getattr(instance, name, None)
        return out

    def problems(self, values: dict[str, Any]) -> dict[str, str]:
        return {}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        problems = self.problems(self.values(attrs))
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


class OfficialWriteSerializer(PeopleWriteSerializer):
    nation = serializers.PrimaryKeyRelatedField(queryset=Nation.objects.all())

    class Meta:
        model = Official
        fields = ["id", "marking", "name", "nation", "organisation", "grade", "notes"]


class BilletWriteSerializer(PeopleWriteSerializer):
    nation = serializers.PrimaryKeyRelatedField(queryset=Nation.objects.all())
    partner = serializers.PrimaryKeyRelatedField(
        queryset=Nation.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Billet
        fields = ["id", "marking", "code", "title", "nation", "organisation", "partner"]

    def problems(self, values: dict[str, Any]) -> dict[str, str]:
        return records.billet_problems(values)


class PostingWriteSerializer(PeopleWriteSerializer):
    official = serializers.PrimaryKeyRelatedField(queryset=Official.objects.none(), style=TYPED)
    billet = serializers.PrimaryKeyRelatedField(queryset=Billet.objects.none(), style=TYPED)
    marked = (("official", Official), ("billet", Billet))

    class Meta:
        model = Posting
        fields = ["id", "marking", "official", "billet", "starts", "ends", "note"]

    def problems(self, values: dict[str, Any]) -> dict[str, str]:
        viewer = viewer_of(self.context["request"])
        pk = self.instance.pk if self.instance is not None else None
        return records.posting_problems(viewer, values, pk)


class CrisisPairWriteSerializer(PeopleWriteSerializer):
    us_billet = serializers.PrimaryKeyRelatedField(queryset=Billet.objects.none(), style=TYPED)
    partner_billet = serializers.PrimaryKeyRelatedField(queryset=Billet.objects.none(), style=TYPED)
    marked = (("us_billet", Billet), ("partner_billet", Billet))

    class Meta:
        model = CrisisPair
        fields = ["id", "marking", "us_billet", "partner_billet", "scenario", "priority", "note"]

    def problems(self, values: dict[str, Any]) -> dict[str, str]:
        return records.pair_problems(values)


class LanguageSkillWriteSerializer(PeopleWriteSerializer):
    official = serializers.PrimaryKeyRelatedField(queryset=Official.objects.none(), style=TYPED)
    listening = LevelField(help_text="ILR level, 0 to 5 with plus levels (e.g. 2+).")
    reading = LevelField()
    speaking = LevelField()
    tested_on = serializers.DateField(
        required=False, allow_null=True, validators=[not_after_today], help_text="Test date."
    )
    marked = (("official", Official),)

    class Meta:
        model = LanguageSkill
        fields = [
            "id",
            "marking",
            "official",
            "language",
            "listening",
            "reading",
            "speaking",
            "tested_on",
            "source",
        ]
        # One result per official and language is ``records.skill_problems``' check (its
        # words name the field); DRF's own check would read the table unrestricted.
        validators: list[Any] = []

    def problems(self, values: dict[str, Any]) -> dict[str, str]:
        pk = self.instance.pk if self.instance is not None else None
        return records.skill_problems(values, pk)
