"""Security agreements: each partner's GSOMIA or GSOIA with the United States, with its source."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from allied.core import registry
from allied.core.models import AgreementKind, SecurityAgreement

pytestmark = pytest.mark.usefixtures("loaded_registry")


def signed(iso3: str, kind: str = AgreementKind.GSOMIA) -> datetime.date:
    return SecurityAgreement.objects.get(nation_id=iso3, kind=kind).signed


def test_the_us_japan_gsomia_was_signed_on_10_august_2007() -> None:
    assert signed("JPN") == datetime.date(2007, 8, 10)


def test_the_us_korea_gsomia_was_signed_and_in_force_on_24_september_1987() -> None:
    korea = SecurityAgreement.objects.get(nation_id="KOR")
    assert korea.signed == korea.in_force == datetime.date(1987, 9, 24)


def test_the_us_india_gsomia_was_signed_on_17_january_2002() -> None:
    assert signed("IND") == datetime.date(2002, 1, 17)


def test_the_us_philippines_gsomia_was_signed_on_18_november_2024() -> None:
    assert signed("PHL") == datetime.date(2024, 11, 18)


def test_the_us_australia_agreement_covers_all_classified_information() -> None:
    assert signed("AUS", AgreementKind.GSOIA) == datetime.date(2002, 6, 25)


def test_every_agreement_names_its_source() -> None:
    assert SecurityAgreement.objects.exists()
    assert not SecurityAgreement.objects.filter(source="").exists()


def test_loading_the_agreements_twice_changes_nothing() -> None:
    before = list(SecurityAgreement.objects.values())
    registry.load()
    assert list(SecurityAgreement.objects.values()) == before


def test_an_agreement_cannot_end_before_it_is_signed() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SecurityAgreement.objects.create(
            nation_id="TWN",
            kind=AgreementKind.OTHER,
            title="test",
            signed=datetime.date(2020, 1, 1),
            ended=datetime.date(2019, 1, 1),
            source="test",
        )


def test_the_partners_page_lists_each_key_partner_with_its_agreements(
    analyst_client: Client,
) -> None:
    response = analyst_client.get(reverse("partners"))
    assert response.status_code == 200
    rows = {row.nation.iso3: row.agreements for row in response.context["rows"]}
    assert list(rows)[: len(registry.KEY_INDO_PACIFIC_PARTNERS)] == list(
        registry.KEY_INDO_PACIFIC_PARTNERS
    )
    assert [a.kind for a in rows["JPN"]] == ["GSOMIA"]
    assert rows["TWN"] == []
    content = response.content.decode()
    assert "2007-08-10" in content and "Reuters" in content
    assert "No agreement recorded here." in content


def test_the_partners_page_is_in_the_navigation(analyst_client: Client) -> None:
    content = analyst_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("partners")}"' in content


def test_the_partners_page_needs_sign_in(anonymous_client: Client) -> None:
    response = anonymous_client.get(reverse("partners"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
