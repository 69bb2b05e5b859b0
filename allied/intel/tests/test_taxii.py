"""STIX 2.1 and TAXII 2.1: each principal gets only what it may see, in valid STIX."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from django.test import Client
from stix2validator import ValidationOptions, validate_instance

from allied.core.models import StoredMarking, system_access
from allied.intel import stix
from allied.intel.models import Portion, Product, StixObject
from allied.intel.tests.stix_objects import indicator

pytestmark = pytest.mark.django_db
ROOT = "/taxii2/api/collections/"
PRODUCTS = stix.COLLECTIONS if hasattr(stix, "COLLECTIONS") else None
OPTIONS = ValidationOptions(version="2.1", strict=False)


def collection_id(name):
    from allied.intel.views.taxii import COLLECTIONS

    return COLLECTIONS[name]["id"]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def product(cast):
    marking = StoredMarking.objects.intern
    with system_access("test: a product with mixed portions"):
        obj = Product(
            title="Strait activity summary (fictional)",
            originator="us_agency",
            category=8,
            topics=["maritime"],
            regions=["luzon-strait"],
            author=cast["us.analyst"],
            marking=marking("UNCLASSIFIED"),
            banner=marking("SECRET//NOFORN"),
        )
        obj.save()
        texts = [
            ("SECRET//REL TO USA, JPN", "Released to Japan."),
            ("SECRET//NOFORN", "U.S.-only assessment."),
            ("CONFIDENTIAL//REL TO USA, PHL", "Released to the Philippines."),
        ]
        for order, (text, body) in enumerate(texts, start=1):
            Portion(product=obj, order=order, text=body, marking=marking(text)).save()
    return obj


def objects(client, name, **params):
    response = client.get(f"{ROOT}{collection_id(name)}/objects/", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/taxii+json")
    return response.json()


def test_discovery_and_collections_answer_in_taxii_media_type(cast):
    client = client_for(cast["jpn.liaison"])
    discovery = client.get("/taxii2/")
    assert discovery.status_code == 200 and discovery.json()["api_roots"]
    listed = client.get(ROOT).json()["collections"]
    assert {c["title"] for c in listed} == {"Allied intelligence products", "Imported STIX"}
    imports = next(c for c in listed if c["title"] == "Imported STIX")
    assert imports["can_write"] is False  # a partner's liaison imports nothing here


def test_an_anonymous_caller_gets_a_taxii_401():
    response = Client().get("/taxii2/")
    assert response.status_code == 401 and response.json()["http_status"] == "401"


def test_the_japanese_liaison_gets_only_japans_portions_as_valid_stix(cast, product):
    body = objects(client_for(cast["jpn.liaison"]), "products")
    text = json.dumps(body)
    assert "Released to Japan." in text
    assert "U.S.-only assessment." not in text and "Philippines" not in text
    notes = [o for o in body["objects"] if o["type"] == "note"]
    assert len(notes) == 1
    report = next(o for o in body["objects"] if o["type"] == "report")
    assert report["object_refs"] == [notes[0]["id"]]
    banner = report["extensions"][stix.ALLIED_MARKING_EXTENSION]["banner"]
    assert banner == "SECRET//REL TO USA, JPN"
    for obj in body["objects"]:
        result = validate_instance(obj, OPTIONS)
        assert result.is_valid, [str(e) for e in result.errors]


def test_the_report_id_does_not_depend_on_what_is_withheld_from_others(cast, product):
    jpn = objects(client_for(cast["jpn.liaison"]), "products")
    us = objects(client_for(cast["us.analyst"]), "products")
    ids = lambda body: {o["id"] for o in body["objects"] if o["type"] == "report"}  # noqa: E731
    assert ids(jpn) != ids(us)
    assert len([o for o in us["objects"] if o["type"] == "note"]) == 3


def envelope(*objs):
    return json.dumps({"objects": list(objs)})


def post(client, body, marking="SECRET//NOFORN"):
    return client.post(
        f"{ROOT}{collection_id('imports')}/objects/?marking={marking}",
        body,
        content_type="application/taxii+json;version=2.1",
    )


def test_imported_objects_keep_their_markings_and_reach_only_who_may_see_them(cast):
    analyst = client_for(cast["us.analyst"])
    response = post(
        analyst,
        envelope(
            indicator("unmarked (fictional)"),
            indicator("for Japan (fictional)", "SECRET//REL TO USA, JPN"),
        ),
    )
    assert response.status_code == 202 and response.json()["success_count"] == 2
    seen = {o["name"] for o in objects(client_for(cast["jpn.liaison"]), "imports")["objects"]}
    assert seen == {"for Japan (fictional)"}
    assert objects(client_for(cast["phl.liaison"]), "imports")["objects"] == []
    assert len(objects(analyst, "imports")["objects"]) == 2


def test_an_invalid_envelope_stores_nothing_and_says_why(cast):
    bad = indicator("bad")
    bad["id"] = "malware--not-matching"
    response = post(client_for(cast["us.analyst"]), envelope(indicator("good"), bad))
    assert response.status_code == 422
    assert "does not start with its type" in response.json()["description"]
    with system_access("test: nothing stored"):
        assert not StixObject.objects.exists()


def test_an_import_without_a_marking_for_unmarked_objects_is_refused(cast):
    client = client_for(cast["us.analyst"])
    response = client.post(
        f"{ROOT}{collection_id('imports')}/objects/",
        envelope(indicator("x")),
        content_type="application/taxii+json",
    )
    assert response.status_code == 400


def test_a_partner_cannot_write_to_the_imports_collection(cast):
    assert post(client_for(cast["jpn.liaison"]), envelope(indicator("x"))).status_code == 403


def test_an_importer_cannot_import_what_it_could_not_read(cast):
    principal = cast["us.casemgr"].principal  # cleared SECRET
    principal.roles = [*principal.roles, "author"]
    principal.save()
    response = post(
        client_for(cast["us.casemgr"]), envelope(indicator("x")), marking="TOP SECRET//NOFORN"
    )
    assert response.status_code == 422 and "could not read" in response.json()["description"]


def test_pages_follow_next_until_every_visible_object_is_read(cast):
    analyst = client_for(cast["us.analyst"])
    post(
        analyst,
        envelope(
            *[indicator(f"rel {i}", "SECRET//REL TO USA, JPN") for i in range(5)],
            *[indicator(f"nf {i}") for i in range(5)],
        ),
    )
    jpn = client_for(cast["jpn.liaison"])
    names, token = [], None
    while True:
        params = {"limit": 2, **({"next": token} if token else {})}
        page = objects(jpn, "imports", **params)
        names += [o["name"] for o in page["objects"]]
        if not page["more"]:
            break
        token = page["next"]
    assert sorted(names) == [f"rel {i}" for i in range(5)]


def test_an_envelope_is_served_in_the_order_it_was_sent_with_every_marking_kept(cast):
    """TAXII pages by date added, then id; objects added together keep the envelope's order, and
    each keeps the marking it came with or was given (the COPY path on PostgreSQL included)."""
    analyst = client_for(cast["us.analyst"])
    sent = [
        indicator(f"n{i} (fictional)", "SECRET//REL TO USA, JPN" if i % 3 == 0 else None)
        for i in (5, 2, 9, 0, 7, 3, 1)
    ]
    assert post(analyst, envelope(*sent)).json()["success_count"] == len(sent)
    served = objects(analyst, "imports")["objects"]
    assert [o["name"] for o in served] == [o["name"] for o in sent]
    for obj in served:
        expected = "SECRET//REL TO USA, JPN" if int(obj["name"][1]) % 3 == 0 else "SECRET//NOFORN"
        assert stix.marking_of(obj) == expected, obj["name"]


def test_the_manifest_lists_only_visible_objects(cast):
    analyst = client_for(cast["us.analyst"])
    post(analyst, envelope(indicator("rel", "SECRET//REL TO USA, KOR"), indicator("nf")))
    kor = client_for(cast["kor.liaison"])
    manifest = kor.get(f"{ROOT}{collection_id('imports')}/manifest/").json()
    assert len(manifest["objects"]) == 1


@pytest.mark.django_db(transaction=True)
def test_taxii2_client_reads_the_server_as_a_partner(live_server, cast, product):
    from taxii2client.v21 import Server

    user = cast["jpn.liaison"]
    user.set_password("taxii-test-password-1")
    user.save()
    server = Server(
        f"{live_server.url}/taxii2/", user="jpn.liaison", password="taxii-test-password-1"
    )
    root = server.api_roots[0]
    products = next(c for c in root.collections if c.title == "Allied intelligence products")
    envelope_ = products.get_objects()
    names = json.dumps(envelope_)
    assert "Released to Japan." in names and "U.S.-only" not in names
    for obj in envelope_["objects"]:
        assert validate_instance(obj, OPTIONS).is_valid


def test_no_canary_reaches_anyone_through_taxii(cast):
    from allied.core.testing import leaks

    planted = leaks.plant()
    for username, user in cast.items():
        client = client_for(user)
        viewer = user.principal.viewer()
        forbidden = {
            c.text for c in planted.forbidden_for(viewer, __import__("datetime").date.today())
        }
        for name in ("products", "imports"):
            body = json.dumps(objects(client, name, limit=1000))
            manifest = client.get(f"{ROOT}{collection_id(name)}/manifest/", {"limit": 1000})
            leaked = [t for t in forbidden if t in body or t in manifest.content.decode()]
            assert leaked == [], (username, name)


AMBER_STRICT = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
TLP_RED = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"


def tlp_indicator(name, *refs, marking=None):
    obj = indicator(name, marking)
    obj["object_marking_refs"] = list(refs)
    return obj


def test_an_amber_strict_object_from_a_feed_is_held_to_us_readers(cast):
    # TLP:AMBER+STRICT narrows the feed's marking to NOFORN (rules 14 and 24(a)); a sibling
    # object with no TLP keeps the feed's REL TO marking.
    analyst = client_for(cast["us.analyst"])
    opencti_amber_strict = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": f"marking-definition--{uuid.uuid4()}",
        "created": "2026-11-01T00:00:00.000Z",
        "definition_type": "TLP",
        "name": "TLP:AMBER+STRICT",
        "definition": {"TLP": "TLP:AMBER+STRICT"},
    }
    response = post(
        analyst,
        envelope(
            opencti_amber_strict,
            tlp_indicator("strict (fictional)", opencti_amber_strict["id"]),
            tlp_indicator("strict by standard id (fictional)", AMBER_STRICT),
            indicator("open (fictional)"),
        ),
        marking="SECRET//REL TO USA, JPN",
    )
    assert response.status_code == 202, response.content
    seen = {o["name"] for o in objects(client_for(cast["jpn.liaison"]), "imports")["objects"]}
    # The marking definition travels with the feed's marking; the strict objects do not.
    assert seen == {"open (fictional)", "TLP:AMBER+STRICT"}
    with system_access("test: read the stored markings"):
        stored = dict(StixObject.objects.values_list("body__name", "marking__text"))
    assert stored["strict (fictional)"] == "SECRET//NOFORN"
    assert stored["strict by standard id (fictional)"] == "SECRET//NOFORN"


def test_a_tlp_red_object_stops_the_whole_import(cast):
    response = post(
        client_for(cast["us.analyst"]),
        envelope(indicator("fine"), tlp_indicator("red (fictional)", TLP_RED)),
    )
    assert response.status_code == 422
    assert "TLP:RED" in response.json()["description"]
    with system_access("test: nothing stored"):
        assert not StixObject.objects.exists()


# --- CSRF: a session write needs the token, a TAXII client's token or Basic does not ----------


def imports_url(marking="SECRET//NOFORN"):
    return f"{ROOT}{collection_id('imports')}/objects/?marking={marking}"


def test_a_session_write_from_another_site_is_refused_and_stores_nothing(cast):
    browser = Client(enforce_csrf_checks=True, HTTP_ORIGIN="https://evil.example")
    browser.force_login(cast["us.analyst"])
    response = browser.post(
        imports_url("UNCLASSIFIED"),
        envelope(indicator("planted (fictional)")),
        content_type="application/taxii+json;version=2.1",
    )
    assert response.status_code == 403, response.content
    assert "CSRF" in response.json()["description"]
    with system_access("test: nothing stored"):
        assert not StixObject.objects.exists()
    # Reads on the same session still work: only writes need the token.
    assert browser.get(f"{ROOT}{collection_id('imports')}/objects/").status_code == 200


def test_a_session_write_with_the_csrf_token_is_accepted(cast):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast["us.analyst"])
    browser.get("/")  # any page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        imports_url(),
        envelope(indicator("from a page (fictional)")),
        content_type="application/taxii+json;version=2.1",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 202, response.content


def test_a_taxii_client_writes_with_a_token_or_basic_and_no_csrf_token(cast):
    from rest_framework.authtoken.models import Token

    key = Token.objects.create(user=cast["us.analyst"]).key
    client = Client(enforce_csrf_checks=True, HTTP_ORIGIN="https://feeds.example")
    response = client.post(
        imports_url(),
        envelope(indicator("by token (fictional)")),
        content_type="application/taxii+json;version=2.1",
        headers={"Authorization": f"Token {key}"},
    )
    assert response.status_code == 202, response.content
    user = cast["us.analyst"]
    user.set_password("taxii-test-password-1")
    user.save()
    basic = base64.b64encode(b"us.analyst:taxii-test-password-1").decode()
    response = client.post(
        imports_url(),
        envelope(indicator("by basic (fictional)")),
        content_type="application/taxii+json;version=2.1",
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 202, response.content


def test_the_rest_api_refuses_a_session_write_without_the_csrf_token(cast):
    browser = Client(enforce_csrf_checks=True, HTTP_ORIGIN="https://evil.example")
    browser.force_login(cast["kor.liaison"])
    response = browser.post(
        "/api/intel/requirements/",
        {"marking": "SECRET//REL TO USA, KOR", "kind": "collect", "topic": "x", "region": "y",
         "starts": "2026-01-01", "ends": "2026-12-31", "priority": 5, "description": "z"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


# --- every object served carries its Allied marking; unmapped marking definitions -------------


def extension_of(obj):
    return obj["extensions"][stix.ALLIED_MARKING_EXTENSION]


def test_an_object_imported_with_a_stated_marking_is_served_with_it(cast):
    # Rule 8: the extension carries the canonical banner, REL TO with USA first.
    obj = indicator("stated marking (fictional)")
    assert "extensions" not in obj
    analyst = client_for(cast["us.analyst"])
    response = post(analyst, envelope(obj), marking="SECRET//REL TO USA, JPN")
    assert response.status_code == 202, response.content
    jpn = client_for(cast["jpn.liaison"])
    (served,) = objects(jpn, "imports")["objects"]
    detail = jpn.get(f"{ROOT}{collection_id('imports')}/objects/{obj['id']}/").json()["objects"]
    for copy in (served, *detail):
        extension = extension_of(copy)
        assert extension["banner"] == "SECRET//REL TO USA, JPN"
        assert extension["releasable_to"] == ["USA", "JPN"]
        assert extension["classification"] == "S"
        result = validate_instance(copy, OPTIONS)
        assert result.is_valid, [str(e) for e in result.errors]


def test_an_object_is_served_with_the_marking_it_was_stored_with_not_the_one_it_came_with(cast):
    # Rules 14 and 24(a): TLP:AMBER+STRICT made it NOFORN, so its REL TO extension must not
    # travel with it; the object's other extensions stay.
    obj = tlp_indicator("strict (fictional)", AMBER_STRICT, marking="SECRET//REL TO USA, JPN")
    obj["extensions"]["extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e"] = {
        "extension_type": "property-extension",
        "rank": 5,
    }
    analyst = client_for(cast["us.analyst"])
    assert post(analyst, envelope(obj)).status_code == 202
    (served,) = objects(analyst, "imports")["objects"]
    assert extension_of(served)["banner"] == "SECRET//NOFORN"
    assert "releasable_to" not in extension_of(served)
    assert served["extensions"]["extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e"]
    assert objects(client_for(cast["jpn.liaison"]), "imports")["objects"] == []


def test_every_stix_object_served_carries_the_allied_marking_it_is_stored_with(cast):
    from allied.core.testing import leaks

    leaks.plant()
    post(client_for(cast["us.analyst"]), envelope(indicator("unmarked (fictional)")))
    with system_access("test: the stored markings"):
        stored = dict(StixObject.objects.values_list("stix_id", "marking__text"))
    for username in ("us.analyst", "jpn.liaison", "gbr.liaison"):
        client = client_for(cast[username])
        for name in ("products", "imports"):
            served = objects(client, name, limit=1000)["objects"]
            assert served, (username, name)
            for obj in served:
                banner = extension_of(obj)["banner"]
                if name == "imports":
                    assert banner == stored[obj["id"]], (username, obj["id"])


def statement(text="Copyright 2026, a fictional vendor"):
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": f"marking-definition--{uuid.uuid4()}",
        "created": "2026-11-01T00:00:00.000Z",
        "definition_type": "statement",
        "definition": {"statement": text},
    }


def test_an_object_with_a_marking_definition_allied_cannot_map_is_refused_by_name(cast):
    # Rule 29: Allied does not guess what an unmapped marking would hand on; nothing is stored.
    own = statement("PARTNER EYES ONLY (fictional)")
    own["extensions"] = indicator("", "SECRET//NOFORN")["extensions"]
    marked = tlp_indicator("statement (fictional)", own["id"], marking="SECRET//REL TO USA, JPN")
    absent = tlp_indicator(
        "absent (fictional)", f"marking-definition--{uuid.uuid4()}", marking="SECRET//NOFORN"
    )
    analyst = client_for(cast["us.analyst"])
    for bad in (marked, absent):
        response = analyst.post(
            f"{ROOT}{collection_id('imports')}/objects/",
            envelope(own, indicator("fine", "SECRET//NOFORN"), bad),
            content_type="application/taxii+json;version=2.1",
        )
        assert response.status_code == 422, response.content
        description = response.json()["description"]
        assert bad["id"] in description and bad["object_marking_refs"][0] in description
        assert "state the marking" in description
    with system_access("test: nothing stored"):
        assert not StixObject.objects.exists()


def test_a_granular_marking_allied_cannot_map_refuses_the_object_too(cast):
    obj = indicator("granular (fictional)", "SECRET//NOFORN")
    obj["granular_markings"] = [
        {"lang": "en", "selectors": ["name"]},
        {"marking_ref": f"marking-definition--{uuid.uuid4()}", "selectors": ["pattern"]},
    ]
    response = client_for(cast["us.analyst"]).post(
        f"{ROOT}{collection_id('imports')}/objects/",
        envelope(obj),
        content_type="application/taxii+json;version=2.1",
    )
    assert response.status_code == 422 and obj["id"] in response.json()["description"]


def test_the_importer_who_states_the_marking_imports_objects_with_unmapped_definitions(cast):
    own = statement()
    obj = tlp_indicator("vendor feed (fictional)", own["id"])
    response = post(
        client_for(cast["us.analyst"]), envelope(own, obj), marking="SECRET//REL TO USA, KOR"
    )
    assert response.status_code == 202, response.content
    names = {o.get("name") for o in objects(client_for(cast["kor.liaison"]), "imports")["objects"]}
    assert names == {"vendor feed (fictional)", None}  # the statement travels with the feed too


def test_an_envelope_of_allied_marked_objects_needs_no_stated_marking(cast):
    response = client_for(cast["us.analyst"]).post(
        f"{ROOT}{collection_id('imports')}/objects/",
        envelope(indicator("own marking (fictional)", "SECRET//REL TO USA, JPN")),
        content_type="application/taxii+json;version=2.1",
    )
    assert response.status_code == 202, response.content
    unmarked = indicator("unmarked (fictional)")
    response = client_for(cast["us.analyst"]).post(
        f"{ROOT}{collection_id('imports')}/objects/",
        envelope(unmarked),
        content_type="application/taxii+json;version=2.1",
    )
    assert response.status_code == 400 and unmarked["id"] in response.json()["description"]


# --- re-imports: a new version or a refusal that is the same whoever may read the stored one --


def importer_cleared_secret(cast):
    principal = cast["us.casemgr"].principal  # cleared SECRET, no SCI
    principal.roles = [*principal.roles, "author"]
    principal.save()
    return client_for(cast["us.casemgr"])


def stored_versions():
    with system_access("test: the stored versions"):
        return sorted(
            StixObject.objects.values_list("stix_id", "modified", "marking__text", "body__name")
        )


def test_a_re_import_of_a_stored_version_is_refused_and_the_stored_copy_is_untouched(cast):
    analyst = client_for(cast["us.analyst"])
    obj = indicator("first copy (fictional)")
    assert post(analyst, envelope(obj)).status_code == 202
    before = stored_versions()
    again = {**obj, "name": "second copy (fictional)"}
    response = post(
        analyst, envelope(indicator("fresh (fictional)"), again), "SECRET//REL TO USA, JPN"
    )
    assert response.status_code == 422, response.content
    description = response.json()["description"]
    assert obj["id"] in description and "already stored" in description
    assert "later modified" in description
    assert stored_versions() == before  # nothing of the envelope was stored


def test_the_refusal_is_the_same_whether_or_not_the_importer_may_read_the_stored_version(cast):
    # Threat model, breach 3: a version the importer may not read answers like one it may.
    analyst = client_for(cast["us.analyst"])
    readable = indicator("secret (fictional)", "SECRET//NOFORN")
    hidden = indicator("top secret (fictional)", "TOP SECRET//SI//NOFORN")
    assert post(analyst, envelope(readable, hidden)).status_code == 202
    importer = importer_cleared_secret(cast)
    answers = []
    for obj in (readable, hidden):
        copy = {**obj, "extensions": indicator("", "SECRET//NOFORN")["extensions"]}
        response = post(importer, envelope(copy))
        answers.append((response.status_code, response.content.decode().replace(obj["id"], "ID")))
    assert answers[0] == answers[1]
    assert answers[0][0] == 422


def test_a_later_modified_is_a_new_version_with_its_own_marking(cast):
    analyst = client_for(cast["us.analyst"])
    obj = indicator("assessment (fictional)")
    assert post(analyst, envelope(obj)).status_code == 202  # SECRET//NOFORN
    newer = {**obj, "modified": "2026-11-02T00:00:00.000Z", "name": "released (fictional)"}
    response = post(analyst, envelope(newer), marking="SECRET//REL TO USA, JPN")
    assert response.status_code == 202, response.content
    assert [v[2] for v in stored_versions()] == ["SECRET//NOFORN", "SECRET//REL TO USA, JPN"]
    url = f"{ROOT}{collection_id('imports')}/objects/{obj['id']}/"
    (seen,) = client_for(cast["jpn.liaison"]).get(url).json()["objects"]
    assert seen["name"] == "released (fictional)"
    assert seen["modified"] == "2026-11-02T00:00:00.000Z"
    assert len(analyst.get(url).json()["objects"]) == 2


def test_one_version_given_twice_in_an_envelope_is_refused(cast):
    obj = indicator("twice (fictional)")
    response = post(client_for(cast["us.analyst"]), envelope(obj, {**obj, "name": "other"}))
    assert response.status_code == 422
    assert obj["id"] in response.json()["description"]
    assert "twice" in response.json()["description"]
    assert stored_versions() == []


def test_a_version_stored_by_another_import_meanwhile_refuses_the_import(cast, monkeypatch):
    # The look-up and the insert are not one step: the unique constraint has the last word.
    analyst = client_for(cast["us.analyst"])
    obj = indicator("raced (fictional)")
    assert post(analyst, envelope(obj)).status_code == 202
    monkeypatch.setattr(stix, "taken_versions", lambda collection, versions: set())
    response = post(analyst, envelope(indicator("fresh (fictional)"), {**obj, "name": "late"}))
    assert response.status_code == 422, response.content
    assert "another import" in response.json()["description"]
    assert [v[3] for v in stored_versions()] == ["raced (fictional)"]


def test_a_write_without_a_json_media_type_is_refused_even_with_basic_credentials(cast):
    # A browser that cached Basic credentials sends them on another site's simple request,
    # which may carry no Content-Type at all or a form's.
    user = cast["us.analyst"]
    user.set_password("taxii-test-password-1")
    user.save()
    basic = base64.b64encode(b"us.analyst:taxii-test-password-1").decode()
    client = Client(enforce_csrf_checks=True, HTTP_ORIGIN="https://evil.example")
    for content_type in ("", "text/plain", "application/x-www-form-urlencoded"):
        response = client.generic(
            "POST",
            imports_url(),
            envelope(indicator("planted (fictional)")),
            content_type=content_type,
            headers={"Authorization": f"Basic {basic}"},
        )
        assert response.status_code == 415, (content_type, response.content)
    with system_access("test: nothing stored"):
        assert not StixObject.objects.exists()


def test_objects_stored_before_imports_wrote_the_extension_are_given_their_marking(cast):
    # Rule 24(a): an object is served with the marking it is stored with; an older stored body
    # without Allied's extension (or with the wider one it came with) is rewritten once.
    import importlib

    from django.apps import apps
    from django.utils import timezone

    migration = importlib.import_module(
        "allied.intel.migrations.0006_stix_objects_carry_their_marking"
    )
    bare = indicator("stored bare (fictional)")
    wider = indicator("stored wider (fictional)", marking="SECRET//REL TO USA, JPN")
    wider["extensions"]["extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e"] = {
        "extension_type": "property-extension",
        "rank": 5,
    }
    with system_access("test: objects stored the old way"):
        for obj, text in ((bare, "SECRET//REL TO USA, JPN"), (wider, "SECRET//NOFORN")):
            StixObject.objects.create(
                collection="imports",
                stix_id=obj["id"],
                stix_type="indicator",
                modified=timezone.now(),
                date_added=timezone.now(),
                body=obj,
                imported_by=cast["us.analyst"],
                marking=StoredMarking.objects.intern(text),
            )

    class Editor:
        class connection:
            vendor = "sqlite"

    with system_access("test: the data migration, with today's models"):
        migration.mark_bodies(apps, Editor())
        bodies = {o.stix_id: o.body for o in StixObject.objects.all()}
    assert extension_of(bodies[bare["id"]])["banner"] == "SECRET//REL TO USA, JPN"
    assert extension_of(bodies[wider["id"]])["banner"] == "SECRET//NOFORN"
    assert "releasable_to" not in extension_of(bodies[wider["id"]])
    assert bodies[wider["id"]]["extensions"][
        "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e"
    ] == {"extension_type": "property-extension", "rank": 5}
    (served,) = objects(client_for(cast["jpn.liaison"]), "imports")["objects"]
    assert served["id"] == bare["id"]
    assert extension_of(served)["banner"] == "SECRET//REL TO USA, JPN"
