"""Record endpoints under /api/people/: officials, billets, postings, contacts, pairs, language
results. Officials, billets, postings, pairs and language results are written here too by the
people writers (``access.WRITERS``), through the write serializers of ``api/writes.py``.

Each list is the caller's restricted queryset (``RestrictedViewSetMixin``): a hidden record
answers 404 like a missing one and counts count visible rows only. Rows nested in a record (an
official's languages, a contact's participants) are read through restricted querysets too, with
their joined rows restricted: a visible contact's hidden participant is simply not listed.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets

from allied.core.api.fields import MarkingField
from allied.core.restricted import RestrictedViewSetMixin, show, viewer_of
from allied.people import access, records, ties
from allied.people.api import writes
from allied.people.models import (
    Billet,
    Contact,
    CrisisPair,
    LanguageSkill,
    Official,
    Posting,
)
from allied.people.rules.ilr import format_level

ID = [OpenApiParameter("id", int, OpenApiParameter.PATH)]


class LanguageSerializer(serializers.Serializer):
    language = serializers.CharField()
    listening = serializers.CharField(help_text="ILR level, 0 to 5 with plus levels (e.g. 2+).")
    reading = serializers.CharField()
    speaking = serializers.CharField()
    marking = serializers.CharField()


class OfficialSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    nation = serializers.CharField(source="nation_id")
    languages = serializers.SerializerMethodField()

    class Meta:
        model = Official
        fields = ["id", "marking", "name", "nation", "organisation", "grade", "languages"]

    @extend_schema_field(LanguageSerializer(many=True))
    def get_languages(self, official: Official) -> list[dict[str, Any]]:
        skills = self.context.get("skills", {}).get(official.pk, [])
        return [
            {
                "language": s.language,
                "listening": format_level(s.listening),
                "reading": format_level(s.reading),
                "speaking": format_level(s.speaking),
                "marking": s.marking.text,
            }
            for s in skills
        ]


class WritableMixin(RestrictedViewSetMixin):
    """A record endpoint the people writers may create and update records through (POST, PUT,
    PATCH), with ``write_serializer_class``; everyone it admits reads."""

    allied_access = access.PEOPLE
    write_access = access.WRITERS
    write_serializer_class: Any = None

    def get_serializer_class(self) -> Any:
        if self.action in ("create", "update", "partial_update"):
            return self.write_serializer_class
        return super().get_serializer_class()  # type: ignore[misc]


WRITES = (mixins.CreateModelMixin, mixins.UpdateModelMixin)


class WithNestedMixin(RestrictedViewSetMixin):
    """Adds, for the objects being serialised, the nested rows the viewer may see."""

    allied_access = access.PEOPLE

    def nested(self, objs: list[Any]) -> dict[str, Any]:
        return {}

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args:
            instance = args[0]
            objs = (
                list(instance)
                if isinstance(instance, (list, tuple))
                else (list(instance) if hasattr(instance, "model") else [instance])
            )
            context = kwargs.setdefault("context", self.get_serializer_context())
            context.update(self.nested(objs))
        return super().get_serializer(*args, **kwargs)


@extend_schema_view(retrieve=extend_schema(parameters=ID))
class OfficialViewSet(
    WritableMixin,
    WithNestedMixin,
    *WRITES,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Officials releasable to the caller, with the language records releasable to it.
    ``?nation=ISO3`` narrows the list."""

    queryset_model = Official
    serializer_class = OfficialSerializer
    write_serializer_class = writes.OfficialWriteSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        rows = super().get_queryset().select_related("marking")
        nation = self.request.query_params.get("nation", "").upper()
        if len(nation) == 3 and nation.isalpha():
            rows = rows.filter(nation_id=nation)
        return rows.order_by("nation_id", "name", "pk")

    def nested(self, objs: list[Any]) -> dict[str, Any]:
        skills: dict[int, list[LanguageSkill]] = {}
        rows = ties.visible(LanguageSkill, viewer_of(self.request)).select_related("marking")
        for skill in show(self.request, rows.filter(official__in=[o.pk for o in objs])):
            skills.setdefault(skill.official_id, []).append(skill)
        return {"skills": skills}


class HolderSerializer(serializers.Serializer):
    official = serializers.IntegerField()
    name = serializers.CharField()
    since = serializers.DateField()


class BilletSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    nation = serializers.CharField(source="nation_id")
    partner = serializers.CharField(source="partner_id", allow_null=True)
    holder = serializers.SerializerMethodField()
    vacant_since = serializers.SerializerMethodField()

    class Meta:
        model = Billet
        fields = [
            "id",
            "marking",
            "code",
            "title",
            "nation",
            "organisation",
            "partner",
            "holder",
            "vacant_since",
        ]

    def _holding(self, billet: Billet) -> Any:
        return self.context.get("holdings", {}).get(billet.pk)

    @extend_schema_field(HolderSerializer(allow_null=True))
    def get_holder(self, billet: Billet) -> dict[str, Any] | None:
        """Who holds the billet today, as far as the caller may see."""
        held = self._holding(billet)
        if held is None or held.holder is None:
            return None
        return {"official": held.holder.pk, "name": held.holder.name, "since": held.since}

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_vacant_since(self, billet: Billet) -> Any:
        """The day after its last holder left, when nobody the caller may see holds it."""
        held = self._holding(billet)
        return None if held is None else held.vacant_since


@extend_schema_view(retrieve=extend_schema(parameters=ID))
class BilletViewSet(
    WritableMixin,
    WithNestedMixin,
    *WRITES,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Billets releasable to the caller, each with its holder today (``holder``) or the day it
    has been vacant since (``vacant_since``), from the postings and officials it may see."""

    queryset_model = Billet
    serializer_class = BilletSerializer
    write_serializer_class = writes.BilletWriteSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("marking").order_by("nation_id", "code", "pk")

    def nested(self, objs: list[Any]) -> dict[str, Any]:
        held = records.holdings(viewer_of(self.request), [b.pk for b in objs])
        show(self.request, [h.holder for h in held.values() if h.holder is not None])
        return {"holdings": held}


class PostingSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)

    class Meta:
        model = Posting
        fields = ["id", "marking", "official", "billet", "starts", "ends", "note"]


@extend_schema_view(retrieve=extend_schema(parameters=ID))
class PostingViewSet(
    WritableMixin,
    *WRITES,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Postings releasable to the caller whose official and billet it may see too (a billet's
    holders over time). ``?billet=`` and ``?official=`` narrow the list."""

    queryset_model = Posting
    serializer_class = PostingSerializer
    write_serializer_class = writes.PostingWriteSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        rows = ties.joined(super().get_queryset(), "official", "billet").select_related("marking")
        for name in ("billet", "official"):
            value = self.request.query_params.get(name, "")
            if value.isdigit():
                rows = rows.filter(**{f"{name}_id": int(value)})
        return rows.order_by("billet_id", "-starts", "pk")


class ParticipantSerializer(serializers.Serializer):
    official = serializers.IntegerField()
    name = serializers.CharField()
    nation = serializers.CharField()
    role = serializers.CharField()


class ContactSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    participants = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = [
            "id",
            "marking",
            "kind",
            "title",
            "starts",
            "ends",
            "setting",
            "summary",
            "participants",
        ]

    @extend_schema_field(ParticipantSerializer(many=True))
    def get_participants(self, contact: Contact) -> list[dict[str, Any]]:
        return [
            {
                "official": p.official_id,
                "name": p.official.name,
                "nation": p.official.nation_id,
                "role": p.role,
            }
            for p in self.context.get("participants", {}).get(contact.pk, [])
        ]


@extend_schema_view(retrieve=extend_schema(parameters=ID))
class ContactViewSet(
    WithNestedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The contact log: contacts releasable to the caller, newest first, each with the
    participants releasable to it. ``?kind=`` and ``?official=`` narrow the list."""

    queryset_model = Contact
    serializer_class = ContactSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        rows = super().get_queryset().select_related("marking")
        kind = self.request.query_params.get("kind", "")
        if kind:
            rows = rows.filter(kind=kind)
        official = self.request.query_params.get("official", "")
        if official.isdigit():
            viewer = viewer_of(self.request)
            mine = ties.joined(ties.visible(ties.Participation, viewer), "official")
            rows = rows.filter(pk__in=mine.filter(official_id=int(official)).values("contact_id"))
        return rows.order_by("-starts", "-pk")

    def nested(self, objs: list[Any]) -> dict[str, Any]:
        people = ties.participants(viewer_of(self.request), [c.pk for c in objs])
        show(self.request, [p for rows in people.values() for p in rows])
        show(self.request, [p.official for rows in people.values() for p in rows])
        return {"participants": people}


class CrisisPairSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    partner = serializers.CharField(source="partner_billet.nation_id")

    class Meta:
        model = CrisisPair
        fields = [
            "id",
            "marking",
            "us_billet",
            "partner_billet",
            "partner",
            "scenario",
            "priority",
            "note",
        ]


@extend_schema_view(retrieve=extend_schema(parameters=ID))
class CrisisPairViewSet(
    WritableMixin,
    *WRITES,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Crisis pairs releasable to the caller, with both billets releasable too. ``?partner=``
    narrows the list."""

    queryset_model = CrisisPair
    serializer_class = CrisisPairSerializer
    write_serializer_class = writes.CrisisPairWriteSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        partner = self.request.query_params.get("partner", "").upper() or None
        if partner is not None and not (len(partner) == 3 and partner.isalpha()):
            partner = None
        return ties.pairs_of(viewer_of(self.request), partner, scoped=False).order_by(
            "priority", "pk"
        )


class LanguageResultSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    listening = writes.LevelField(help_text="ILR level, 0 to 5 with plus levels (e.g. 2+).")
    reading = writes.LevelField()
    speaking = writes.LevelField()

    class Meta:
        model = LanguageSkill
        fields = writes.LanguageSkillWriteSerializer.Meta.fields


@extend_schema_view(retrieve=extend_schema(parameters=ID))
class LanguageResultViewSet(
    WritableMixin,
    *WRITES,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Language test results releasable to the caller (of officials it may see): the language,
    the ILR level of each skill and the test date; several languages per official.
    ``?official=`` narrows the list."""

    queryset_model = LanguageSkill
    serializer_class = LanguageResultSerializer
    write_serializer_class = writes.LanguageSkillWriteSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        rows = ties.joined(super().get_queryset(), "official").select_related("marking")
        official = self.request.query_params.get("official", "")
        if official.isdigit():
            rows = rows.filter(official_id=int(official))
        return rows.order_by("official_id", "language", "pk")
