"""Canary rows of the intelligence models, for the leak tests (``allied.core.testing.leaks``).

Each canary row's parents carry the same marking, so that the row is visible exactly to those
who may see its marking, and the canary string sits in every field a page or feed could show.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model

from allied.core.models import Nation, StoredMarking
from allied.core.testing.leaks import canary_factory
from allied.intel.models import (
    CollectionAgreement,
    CollectionRequirement,
    DisclosureCeiling,
    DisclosureDecision,
    DisclosureRequest,
    Portion,
    PortionRevision,
    Product,
    RequestScope,
    StixObject,
)
from allied.markings import render


def _author() -> object:
    user, _ = get_user_model().objects.get_or_create(username="canary.author")
    return user


def _nation(iso3: str = "JPN") -> Nation:
    nation, _ = Nation.objects.get_or_create(iso3=iso3, defaults={"name": iso3, "source": "-"})
    return nation


@canary_factory(Product)
def product(marking: StoredMarking, text: str) -> Product:
    obj = Product(
        title=f"Product {text}",
        originator="us_agency",
        originator_agency=f"Agency {text}",
        category=8,
        topics=[f"topic-{text}"],
        regions=[f"region-{text}"],
        banner=marking,
        author=_author(),
        marking=marking,
    )
    obj.save()
    Portion(product=obj, order=1, text=f"Portion of product {text}", marking=marking).save()
    return obj


@canary_factory(Portion)
def portion(marking: StoredMarking, text: str) -> Portion:
    # The product's metadata is unclassified: only the portion itself is withheld.
    public = StoredMarking.objects.intern("UNCLASSIFIED")
    parent = Product(
        title="Product with a canary portion",
        originator="us_agency",
        category=8,
        banner=marking,
        author=_author(),
        marking=public,
    )
    parent.save()
    Portion(product=parent, order=1, text="A public portion beside it.", marking=public).save()
    obj = Portion(product=parent, order=2, text=f"Portion {text}", marking=marking)
    obj.save()
    return obj


@canary_factory(PortionRevision)
def revision(marking: StoredMarking, text: str) -> PortionRevision:
    public = StoredMarking.objects.intern("UNCLASSIFIED")
    parent = Product(
        title="Product with a canary revision",
        originator="us_agency",
        category=8,
        banner=public,
        author=_author(),
        marking=public,
    )
    parent.save()
    current = Portion(product=parent, order=1, text="Released text.", marking=public, version=2)
    current.save()
    obj = PortionRevision(
        portion=current,
        version=1,
        text=f"Revision {text}",
        changed_by=_author(),
        reason=f"Reason {text}",
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(DisclosureCeiling)
def ceiling(marking: StoredMarking, text: str) -> DisclosureCeiling:
    obj = DisclosureCeiling(
        nation=_nation(),
        category=8,
        level=2,
        effective_from=datetime.date(2026, 1, 1),
        set_by=_author(),
        reason=f"Ceiling {text}",
        marking=marking,
    )
    obj.save()
    return obj


def _request(marking: StoredMarking, text: str) -> DisclosureRequest:
    parent = Product(
        title=f"Requested product {text}",
        originator="us_agency",
        category=8,
        banner=marking,
        author=_author(),
        marking=marking,
    )
    parent.save()
    part = Portion(product=parent, order=1, text=f"Requested portion {text}", marking=marking)
    part.save()
    obj = DisclosureRequest(
        product=parent,
        partner=_nation(),
        purpose=f"Purpose {text}",
        requested_by=_author(),
        marking=marking,
    )
    obj.save()
    obj.portions.add(part)
    return obj


@canary_factory(DisclosureRequest)
def request(marking: StoredMarking, text: str) -> DisclosureRequest:
    obj = _request(marking, text)
    # Beside it, a partner's request for the rest of the same product: it names no portion, and
    # its pages read the product's portions instead, so the crawl covers that path too.
    rest = DisclosureRequest(
        product=obj.product,
        partner=_nation(),
        purpose=f"Rest of the product {text}",
        requested_by=_author(),
        scope=RequestScope.REST,
        marking=marking,
    )
    rest.save()
    return obj


@canary_factory(DisclosureDecision)
def decision(marking: StoredMarking, text: str) -> DisclosureDecision:
    parent = _request(marking, f"for decision {text}")
    obj = DisclosureDecision(
        request=parent,
        number=1,
        outcome="deny",
        reason=f"Decision {text}",
        ceiling=2,
        product_version=1,
        decided_by=_author(),
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(CollectionRequirement)
def requirement(marking: StoredMarking, text: str) -> CollectionRequirement:
    obj = CollectionRequirement(
        nation=_nation(),
        kind="need",
        topic=f"Topic {text}",
        region=f"Region {text}",
        starts=datetime.date(2026, 1, 1),
        ends=datetime.date(2026, 12, 31),
        priority=3,
        description=f"Requirement {text} ({render(marking.marking)})",
        created_by=_author(),
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(CollectionAgreement)
def agreement(marking: StoredMarking, text: str) -> CollectionAgreement:
    # Accepted and ended, so that the coverage matrix shows it (as lapsed) on every day after it.
    need = requirement(marking, f"for an agreement {text}")
    obj = CollectionAgreement(
        requirement=need,
        collector=_nation("KOR"),
        relying=need.nation,
        topic=need.topic,
        region=need.region,
        starts=datetime.date(2026, 1, 1),
        ends=datetime.date(2026, 1, 31),
        terms=f"Agreement {text}",
        status="accepted",
        offered_by=_author(),
        answer_note=f"Answer {text}",
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(StixObject)
def stix_object(marking: StoredMarking, text: str) -> StixObject:
    import uuid

    from django.utils import timezone

    from allied.intel.stix import marking_extension, with_marking

    stix_id = f"indicator--{uuid.uuid4()}"
    obj = StixObject(
        collection="imports",
        stix_id=stix_id,
        stix_type="indicator",
        modified=timezone.now(),
        date_added=timezone.now(),
        # Stored as an import stores it: with Allied's marking extension.
        body=with_marking(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": stix_id,
                "name": f"Indicator {text}",
                "created": "2026-01-01T00:00:00.000Z",
                "modified": "2026-01-01T00:00:00.000Z",
                "pattern": "[ipv4-addr:value = '198.51.100.7']",
                "pattern_type": "stix",
                "valid_from": "2026-01-01T00:00:00Z",
            },
            marking_extension(marking.marking),
        ),
        imported_by=_author(),
        marking=marking,
    )
    obj.save()
    return obj
