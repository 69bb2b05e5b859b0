"""The working group's pages and API: the queue, the status page, free-form requests, guidance
and the weekly brief, each as the group and as partners."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from allied.core.models import AuditEntry, StoredMarking, system_access
from allied.working_group.models import FreeformRequest, GuidanceStatement, PartnerPriority

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def freeform(cast, partner, title, marking, *, days=10, blockers="", flags=()):
    with system_access("tests: a free-form request"):
        row = FreeformRequest(
            partner_id=partner,
            kind="training",
            title=title,
            owner="Test office (fictional)",
            opened=TODAY - datetime.timedelta(days=days),
            blockers=blockers,
            flags=FreeformRequest.flags_text(flags),
            created_by=cast["wg.member"],
            marking=StoredMarking.objects.intern(marking),
        )
        row.save()
    return row


def statement(cast, partner, body, position, topic="Radar", *, days=5, marking="SECRET//NOFORN",
              due=None):  # fmt: skip
    with system_access("tests: a statement"):
        row = GuidanceStatement(
            partner_id=partner,
            body=body,
            topic=topic,
            position=position,
            summary=f"{body} on {topic} (fictional)",
            said_on=TODAY - datetime.timedelta(days=days),
            commitment_due=due,
            recorded_by=cast["wg.member"],
            marking=StoredMarking.objects.intern(marking),
        )
        row.save()
    return row


# --- the queue ----------------------------------------------------------------------------------


def test_the_queue_ranks_by_score_and_shows_each_part(cast):
    freeform(cast, "JPN", "Japan course (fictional)", "SECRET//REL TO USA, JPN", days=10)
    freeform(cast, "PHL", "Philippine course (fictional)", "UNCLASSIFIED", days=10)
    with system_access("tests: a priority"):
        PartnerPriority(
            nation_id="PHL", weight=3, effective_from=TODAY, reason="Test (fictional)",
            set_by=cast["wg.member"], marking=StoredMarking.objects.intern("SECRET//NOFORN"),
        ).save()  # fmt: skip
    response = client_for(cast["wg.member"]).get("/working-group/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Philippine course") < html.index("Japan course")
    assert "Partner weight" in html and "Lateness" in html
    assert re.search(r"<strong>2</strong> open requests?", html)


def test_a_request_past_its_target_is_escalated_and_can_be_filtered(cast):
    freeform(cast, "KOR", "Old request (fictional)", "UNCLASSIFIED", days=200)  # training: 60 d
    freeform(cast, "KOR", "New request (fictional)", "UNCLASSIFIED", days=1)
    html = client_for(cast["wg.member"]).get("/working-group/?escalated=on").content.decode()
    assert "Old request" in html and "New request" not in html
    assert "Escalated" in html


def test_an_invalid_partner_filter_is_named_and_nothing_breaks(cast):
    response = client_for(cast["wg.member"]).get("/working-group/?partner=J1")
    assert response.status_code == 200
    assert "three-letter code" in response.content.decode()


@pytest.mark.parametrize("username", ["jpn.liaison", "phl.liaison", "us.analyst"])
def test_the_queue_is_for_the_working_group(cast, username):
    freeform(cast, "JPN", "Japan course (fictional)", "SECRET//REL TO USA, JPN")
    assert client_for(cast[username]).get("/working-group/").status_code == 403
    assert client_for(cast[username]).get("/api/working-group/queue/").status_code == 403


def test_queue_reads_are_audited_and_the_banner_rolls_them_up(cast):
    row = freeform(cast, "JPN", "Japan course (fictional)", "SECRET//REL TO USA, JPN")
    response = client_for(cast["wg.member"]).get("/working-group/")
    assert AuditEntry.objects.filter(
        action="read", object_type="working_group.freeformrequest", object_id=str(row.pk)
    ).exists()
    assert "SECRET//REL TO USA, JPN" in response.content.decode()


def test_the_api_queue_gives_the_same_ranking_with_its_parts(cast):
    freeform(cast, "JPN", "Japan course (fictional)", "SECRET//REL TO USA, JPN", days=100)
    data = client_for(cast["wg.member"]).get("/api/working-group/queue/").json()
    assert data["count"] == 1
    score = data["results"][0]["score"]
    assert score["escalation"] == 1 and score["age_days"] == 100 and score["target_days"] == 60
    bad = client_for(cast["wg.member"]).get("/api/working-group/queue/?limit=0")
    assert bad.status_code == 400 and "limit" in bad.json()


# --- the partner-facing status page --------------------------------------------------------------


def test_a_partner_sees_its_own_releasable_requests_and_no_score(cast):
    freeform(cast, "PHL", "Released to PHL (fictional)", "CONFIDENTIAL//REL TO USA, PHL")
    freeform(cast, "PHL", "About PHL, NOFORN (fictional)", "CONFIDENTIAL//NOFORN")
    freeform(cast, "JPN", "Japan own request (fictional)", "UNCLASSIFIED")
    html = client_for(cast["phl.liaison"]).get("/working-group/status/").content.decode()
    assert "Released to PHL" in html
    assert "NOFORN (fictional)" not in html and "Japan own request" not in html
    assert "Partner weight" not in html and "Score" not in html
    data = client_for(cast["phl.liaison"]).get("/api/working-group/status/?partner=JPN").json()
    assert data["partner"] == "PHL"
    assert [r["title"] for r in data["results"]] == ["Released to PHL (fictional)"]


def test_a_us_user_chooses_the_partner_on_the_status_page(cast):
    freeform(cast, "JPN", "Japan own request (fictional)", "UNCLASSIFIED")
    html = client_for(cast["us.casemgr"]).get("/working-group/status/?partner=jpn").content.decode()
    assert "Japan own request" in html


# --- free-form requests ---------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "partner": "PHL",
        "kind": "training",
        "title": "Coastal radar course (fictional)",
        "owner": "INDOPACOM J7",
        "opened": TODAY.isoformat(),
        "marking": "UNCLASSIFIED//REL TO USA, PHL",
    }
    data.update(overrides)
    return data


def test_a_liaison_officer_opens_a_request_for_its_own_nation_only(cast):
    client = client_for(cast["phl.liaison"])
    response = client.post("/working-group/requests/new/", form_data())
    assert response.status_code == 302
    with system_access("tests: check"):
        assert FreeformRequest.objects.get().partner_id == "PHL"
    refused = client.post("/working-group/requests/new/", form_data(partner="JPN"))
    assert refused.status_code == 400 and "partner" in refused.context["form"].errors
    with system_access("tests: check"):
        assert FreeformRequest.objects.count() == 1


def test_a_request_its_author_could_not_read_back_is_refused_and_not_saved(cast):
    response = client_for(cast["phl.liaison"]).post(
        "/working-group/requests/new/", form_data(marking="SECRET//NOFORN")
    )
    assert response.status_code == 400
    assert "could not read" in response.content.decode()
    with system_access("tests: check"):
        assert not FreeformRequest.objects.exists()


def test_a_stale_update_is_refused_with_a_clear_message(cast):
    row = freeform(cast, "PHL", "Course (fictional)", "UNCLASSIFIED")
    client = client_for(cast["wg.member"])
    url = f"/working-group/requests/{row.pk}/"
    first = client.post(url, {"status": "in_progress", "blockers": "", "version": 1})
    assert first.status_code == 302
    stale = client.post(url, {"status": "done", "blockers": "", "version": 1})
    assert stale.status_code == 409 and "changed this request" in stale.content.decode()
    with system_access("tests: check"):
        row.refresh_from_db()
    assert (row.status, row.version) == ("in_progress", 2)


def test_a_partner_cannot_open_a_request_not_released_to_it_by_id(cast):
    row = freeform(cast, "JPN", "Japan own request (fictional)", "SECRET//REL TO USA, JPN")
    assert (
        client_for(cast["phl.liaison"]).get(f"/working-group/requests/{row.pk}/").status_code == 404
    )


# --- guidance ------------------------------------------------------------------------------------


def test_conflicting_guidance_and_overdue_commitments_are_listed(cast):
    statement(cast, "PHL", "state", "conditional", days=40)
    statement(cast, "PHL", "indopacom", "supports", days=10, due=TODAY - datetime.timedelta(days=3))
    html = client_for(cast["wg.member"]).get("/working-group/guidance/conflicts/").content.decode()
    assert "Department of State: Supports with conditions" in html
    assert "Indo-Pacific Command: Supports" in html
    assert re.search(r"<td>3</td></tr>", html)


def test_a_statement_the_member_may_not_see_makes_no_conflict(cast):
    principal = cast["us.casemgr"].principal  # SECRET
    principal.roles = [*principal.roles, "working_group"]
    principal.save()
    statement(cast, "PHL", "state", "conditional", days=40, marking="SECRET//NOFORN")
    statement(cast, "PHL", "osd", "opposes", days=10, marking="TOP SECRET//NOFORN")
    html = client_for(cast["us.casemgr"]).get("/working-group/guidance/conflicts/").content.decode()
    assert "No conflicting statements." in html and "opposes" not in html.lower().split("<main")[1]
    html = client_for(cast["wg.member"]).get("/working-group/guidance/conflicts/").content.decode()
    assert "No conflicting statements." not in html


def test_recording_a_statement_checks_its_fields(cast):
    client = client_for(cast["wg.member"])
    response = client.post(
        "/working-group/guidance/",
        {"partner": "PHL", "body": "state", "topic": "Radar", "position": "supports",
         "summary": "x", "said_on": "2026-11-01", "commitment_due": "2026-10-01",
         "marking": "SECRET//NOFORN"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "falls due on or after" in response.content.decode()
    with system_access("tests: check"):
        assert not GuidanceStatement.objects.exists()


# --- the weekly brief -----------------------------------------------------------------------------


def test_the_weekly_brief_as_a_page_and_as_a_pdf_under_the_same_banner(cast):
    freeform(cast, "PHL", "Blocked course (fictional)", "SECRET//REL TO USA, PHL", days=90,
             blockers="Instructor not confirmed")  # fmt: skip
    statement(cast, "PHL", "state", "conditional", days=40)
    statement(cast, "PHL", "indopacom", "supports", days=10)
    client = client_for(cast["wg.member"])
    html = client.get("/working-group/brief/").content.decode()
    assert "Blocked course" in html and "Instructor not confirmed" in html
    assert "SECRET//NOFORN" in html  # the roll-up of a REL TO request and NOFORN statements
    pdf = client.get("/working-group/brief/?format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client_for(cast["phl.liaison"]).get("/working-group/brief/").status_code == 403


def test_near_identical_topics_conflict_and_the_page_says_why(cast):
    statement(cast, "JPN", "joint_staff", "opposes", "Maritime domain awareness data sharing",
              days=40)  # fmt: skip
    statement(cast, "JPN", "osd", "supports", "maritime domain awareness data", days=10)
    html = client_for(cast["wg.member"]).get("/working-group/guidance/conflicts/").content.decode()
    assert "No conflicting statements." not in html
    assert "share 4 of 5 words (awareness, data, domain, maritime): similarity 0.80" in html


def test_unrelated_topics_of_one_partner_do_not_conflict(cast):
    statement(cast, "JPN", "joint_staff", "opposes", "Maritime domain awareness data sharing",
              days=40)  # fmt: skip
    statement(cast, "JPN", "osd", "supports", "Liaison officer exchange", days=10)
    html = client_for(cast["wg.member"]).get("/working-group/guidance/conflicts/").content.decode()
    assert "No conflicting statements." in html
