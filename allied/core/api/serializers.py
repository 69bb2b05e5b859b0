"""Read-only serializers for the registry."""

from __future__ import annotations

from rest_framework import serializers

from allied.core.api.fields import MarkingField
from allied.core.models import Bulletin, Community, Membership, Nation


class NationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Nation
        fields = ["iso3", "name", "source"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    nation = serializers.CharField(source="nation.iso3", read_only=True)
    nation_name = serializers.CharField(source="nation.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["nation", "nation_name", "joined", "joined_precision", "left", "source"]
        read_only_fields = fields


class CommunitySerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = Community
        fields = ["code", "name", "kind", "source", "memberships"]
        read_only_fields = fields


class BulletinSerializer(serializers.ModelSerializer):
    marking = MarkingField()
    author = serializers.CharField(source="author.get_username", read_only=True)

    class Meta:
        model = Bulletin
        fields = ["id", "marking", "title", "body", "author", "created"]
        read_only_fields = ["id", "author", "created"]
