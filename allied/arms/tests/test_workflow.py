"""Completing stages, the forecast that follows, and the pages partners use to prepare."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from allied.arms import access, analytics, cases, stats
from allied.arms.models import Case, HistoryEntry, StageRecord, StageStat
from allied.core.models import AuditEntry, system_access

from .factories import DAY, case

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def stages_of(obj):
    with system_access("tests: read stages"):
        return list(
            StageRecord.objects.filter(case=obj)
            .order_by("entered", "pk")
            .values_list("stage", "completed", "days")
        )


def test_a_case_manager_completes_a_stage_and_the_next_one_opens(cast):
    obj = case("PHL", "CONFIDENTIAL//REL TO USA, PHL", stage="lor_validated")
    response = client_for(cast["us.casemgr"]).post(
        f"/arms/cases/{obj.pk}/advance/", {"on": "2026-06-11", "note": "Validated", "version": 1}
    )
    assert response.status_code == 302
    rows = stages_of(obj)
    assert rows[-2] == ("lor_validated", datetime.date(2026, 6, 11), 10)
    assert rows[-1] == ("reviews", None, None)
    with system_access("tests: read the case"):
        fresh = Case.objects.get(pk=obj.pk)
        assert fresh.stage == "reviews" and fresh.stage_entered == datetime.date(2026, 6, 11)
        assert HistoryEntry.objects.filter(case=obj).exists()
        assert AuditEntry.objects.filter(object_type="arms.case", action="decision").exists()


def test_validating_the_lor_sets_the_anticipated_offer_date(cast):
    obj = case(
        "PHL",
        "CONFIDENTIAL//REL TO USA, PHL",
        stage="lor_received",
        aod_group="A",
        mde_value=1_000_000,
        total_value=2_000_000,
    )
    cases.advance(obj, cast["us.casemgr"], on=DAY)
    # Group A: 45 days (unconfirmed count); below thresholds, so no review days are added.
    assert obj.anticipated_offer == DAY + datetime.timedelta(days=45)


def test_a_partner_cannot_complete_a_stage(cast):
    obj = case("PHL", "CONFIDENTIAL//REL TO USA, PHL", stage="lor_validated")
    client_for(cast["phl.liaison"]).post(f"/arms/cases/{obj.pk}/advance/", {"on": "2026-06-11"})
    assert stages_of(obj)[-1] == ("lor_validated", None, None)


def test_completing_a_stage_of_a_hidden_case_is_not_found(cast):
    obj = case("PHL", "SECRET//NOFORN", stage="lor_validated")
    response = client_for(cast["phl.liaison"]).post(f"/arms/cases/{obj.pk}/advance/", {})
    assert response.status_code == 404


def test_a_stage_cannot_complete_before_it_started_and_nothing_changes(cast):
    obj = case("PHL", "CONFIDENTIAL//REL TO USA, PHL", stage="lor_validated")
    client = client_for(cast["us.casemgr"])
    response = client.post(
        f"/arms/cases/{obj.pk}/advance/", {"on": "2020-01-01", "version": 1}, follow=True
    )
    assert "cannot complete before it started" in response.content.decode()
    assert stages_of(obj)[-1] == ("lor_validated", None, None)
    bad = client.post(f"/arms/cases/{obj.pk}/advance/", {"on": "not a date"}, follow=True)
    assert "on: Enter a valid date" in bad.content.decode()


def test_a_case_below_thresholds_skips_the_congressional_review(cast):
    obj = case(
        "JPN",
        "CONFIDENTIAL//REL TO USA, JPN",
        stage="loa_development",
        mde_value=5_000_000,
        total_value=10_000_000,
    )
    cases.advance(obj, cast["us.casemgr"], on=DAY + datetime.timedelta(days=30))
    assert stages_of(obj)[-1][0] == "loa_offered"


def test_a_case_above_thresholds_goes_to_informal_review(cast):
    obj = case(
        "PHL",
        "CONFIDENTIAL//REL TO USA, PHL",
        stage="loa_development",
        mde_value=20_000_000,
        total_value=30_000_000,
    )
    cases.advance(obj, cast["us.casemgr"], on=DAY + datetime.timedelta(days=30))
    assert stages_of(obj)[-1][0] == "informal_review"


def _delivered_history(n=6):
    """Past cases of Japan, delivered, with known stage durations (10 days each stage)."""
    for _ in range(n):
        past = case(
            "JPN",
            "CONFIDENTIAL//REL TO USA, JPN",
            stage="delivered",
            delivered=datetime.date(2025, 1, 1),
            aod_group="B",
        )
        with system_access("tests: complete history"):
            StageRecord.objects.filter(case=past).update(days=10)
            for stage in (
                "lor_validated",
                "reviews",
                "notification_data",
                "loa_development",
                "loa_offered",
                "accepted",
                "implemented",
                "execution",
            ):
                StageRecord(
                    case=past,
                    stage=stage,
                    entered=DAY,
                    completed=DAY,
                    days=10,
                    owner="x",
                    marking=past.marking,
                ).save()


def test_completing_a_stage_recomputes_the_forecast(cast):
    _delivered_history()
    obj = case(
        "JPN",
        "CONFIDENTIAL//REL TO USA, JPN",
        stage="lor_validated",
        aod_group="B",
        mde_value=1_000_000,
        total_value=2_000_000,
    )
    day = DAY + datetime.timedelta(days=2)
    cases.advance(obj, cast["us.casemgr"], on=day)
    with system_access("tests: read forecast"):
        first = Case.objects.get(pk=obj.pk)
    assert first.forecast_on == day and first.offer_p50 is not None
    # From reviews: reviews, notification data and LOA development remain (10 days each).
    assert first.offer_p50 == day + datetime.timedelta(days=30)
    cases.advance(first, cast["us.casemgr"], on=day + datetime.timedelta(days=10))
    with system_access("tests: read forecast"):
        second = Case.objects.get(pk=obj.pk)
    assert second.offer_p50 == day + datetime.timedelta(days=30)  # on schedule: unchanged
    assert second.forecast_on == day + datetime.timedelta(days=10)


def test_refresh_forecasts_updates_every_open_case(cast):
    _delivered_history(3)
    case("JPN", "CONFIDENTIAL//REL TO USA, JPN", stage="reviews", aod_group="B")
    assert cases.refresh_forecasts(cast["us.casemgr"], DAY) >= 1
    assert access.cases(cast["us.casemgr"]).filter(offer_p50__isnull=False).exists()


# --- pages a partner uses to prepare ------------------------------------------------------------


def test_the_lor_check_shows_each_gap_and_why_it_delays(cast):
    response = client_for(cast["phl.liaison"]).post(
        "/arms/lor/check/", {"request_kind": "loa", "financing": "fmf", "quantity": "4"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Not actionable yet" in body
    assert "FMS Credit (Non-Repayable)" in body and "DSCA 14-28" in body
    assert "significant delays in defining contract requirements" in body


def test_the_lor_check_refuses_a_negative_quantity_naming_the_field(cast):
    response = client_for(cast["phl.liaison"]).post("/arms/lor/check/", {"quantity": "-3"})
    assert response.status_code == 400
    assert "Quantity:" in response.content.decode()


def test_the_notification_page_names_the_bad_field(cast):
    response = client_for(cast["jpn.liaison"]).get(
        "/arms/notification/", {"partner": "JPN", "channel": "fms", "mde": "lots"}
    )
    assert response.status_code == 400
    assert "mde: &#x27;lots&#x27; is not an amount" in response.content.decode()


def test_the_notification_page_judges_korea_by_the_law_of_the_day(cast):
    client = client_for(cast["us.casemgr"])
    before = client.get(
        "/arms/notification/", {"partner": "KOR", "mde": "20M", "date": "2008-10-14"}
    ).content.decode()
    after = client.get(
        "/arms/notification/", {"partner": "KOR", "mde": "20M", "date": "2008-10-15"}
    ).content.decode()
    assert "Required: 30-day review" in before and "Not required" in after


def test_the_notification_api_answers_and_names_bad_fields(cast):
    client = client_for(cast["phl.liaison"])
    ok = client.get(
        "/api/arms/notification/",
        {"partner": "PHL", "channel": "dcs", "total": "2M", "usml_category": "I(a)"},
    )
    assert ok.status_code == 200 and ok.json()["required"] is True
    bad = client.get("/api/arms/notification/", {"partner": "PHL", "date": "2026-02-30"})
    assert bad.status_code == 400 and "date" in bad.json()


def test_the_what_if_table_counts_only_visible_cases(cast):
    case("PHL", "CONFIDENTIAL//REL TO USA, PHL", mde_value=20_000_000, total_value=20_000_000)
    case("JPN", "CONFIDENTIAL//REL TO USA, JPN", mde_value=30_000_000, total_value=30_000_000)
    body = client_for(cast["phl.liaison"]).get("/arms/notification/?compare=1").content.decode()
    assert "Over the 1 case with" in body
    us = client_for(cast["us.casemgr"])
    assert "Over the 2 cases with" in us.get("/arms/notification/?compare=1").content.decode()
    # Without asking, nothing is counted.
    assert "Over the" not in us.get("/arms/notification/").content.decode()


def test_analytics_for_a_partner_aggregate_its_own_rows_only(cast):
    case("PHL", "CONFIDENTIAL//REL TO USA, PHL")
    case("JPN", "CONFIDENTIAL//REL TO USA, JPN")
    stats.rebuild()
    phl = client_for(cast["phl.liaison"]).get("/arms/analytics/").content.decode()
    us = client_for(cast["us.casemgr"]).get("/arms/analytics/").content.decode()
    assert '"partner": "PHL"' in phl and '"partner": "JPN"' not in phl
    assert '"partner": "JPN"' in us
    # The banner rolls up what the charts were drawn from.
    assert "CONFIDENTIAL//REL TO USA, PHL" in phl


def test_analytics_audit_the_rows_behind_every_figure(cast):
    ours = case(
        "PHL",
        "CONFIDENTIAL//REL TO USA, PHL",
        stage="loa_offered",
        offered=DAY,
        anticipated_offer=DAY + datetime.timedelta(days=5),
    )
    theirs = case("JPN", "CONFIDENTIAL//REL TO USA, JPN", stage="loa_offered", offered=DAY,
                  anticipated_offer=DAY)  # fmt: skip
    with system_access("tests: an overdue open stage"):
        late = StageRecord(case=ours, stage="lor_received", entered=DAY - datetime.timedelta(
            days=40), owner="Navy (NIPO)", target_days=5, marking=ours.marking)  # fmt: skip
        late.save()
    stats.rebuild()
    client_for(cast["phl.liaison"]).get("/arms/analytics/")
    entries = {
        e.object_type: e for e in AuditEntry.objects.filter(action="read", actor_name="phl.liaison")
    }
    assert set(entries) >= {"arms.stagestat", "arms.stagerecord", "arms.case"}
    cases = entries["arms.case"].detail["objects_by_marking"]
    assert cases == {"CONFIDENTIAL//REL TO USA, PHL": [str(ours.pk)]}
    assert str(theirs.pk) not in str(entries["arms.case"].detail)
    assert (
        str(late.pk)
        in entries["arms.stagerecord"].detail["objects_by_marking"]["CONFIDENTIAL//REL TO USA, PHL"]
    )
    with system_access("tests: the partner's roll-up rows"):
        mine = {str(pk) for pk in StageStat.objects.filter(partner_id="PHL").values_list(
            "pk", flat=True)}  # fmt: skip
    listed = {i for ids in entries["arms.stagestat"].detail["objects_by_marking"].values()
              for i in ids}  # fmt: skip
    assert mine and listed == mine


def test_analytics_grouped_figures_equal_a_row_by_row_reading(cast):
    """The offer-date goal and the overdue count, read grouped with their ids, equal what
    reading every visible row one by one gives: the same figures, the same banner markings, the
    same ids under the same markings for the audit. A partner's figures count only rows released
    to its nation (REL TO USA, PHL); NOFORN rows count for the U.S. viewer only."""
    today = datetime.date(2026, 12, 3)
    quarter = datetime.date(2026, 4, 1)
    made = []
    for n, (partner, marking) in enumerate(
        [("PHL", "CONFIDENTIAL//REL TO USA, PHL")] * 3
        + [("JPN", "CONFIDENTIAL//REL TO USA, JPN")] * 2
        + [("PHL", "SECRET//NOFORN")] * 2
    ):
        offered = quarter + datetime.timedelta(days=40 * n)
        aod = offered + datetime.timedelta(days=(n % 3) - 1)
        made.append(
            case(partner, marking, stage="loa_offered", offered=offered, anticipated_offer=aod)
        )
    with system_access("tests: open stages past their target"):
        StageRecord.objects.filter(case__in=made, completed__isnull=True).update(target_days=30)
    for who in ("us.casemgr", "phl.liaison"):
        viewer = access.viewer(cast[who])
        sources = analytics.Sources()
        goal = analytics.offer_goal(viewer, today, sources)
        late = analytics.overdue(viewer, today, sources)
        seen = list(access.cases(viewer).filter(offered__isnull=False))
        assert len(seen) == {"us.casemgr": 7, "phl.liaison": 3}[who]
        by_quarter: dict[datetime.date, list[int]] = {}
        for c in seen:
            q = datetime.date(c.offered.year, (c.offered.month - 1) // 3 * 3 + 1, 1)
            acc = by_quarter.setdefault(q, [0, 0])
            acc[0] += 1
            acc[1] += c.offered <= c.anticipated_offer
        expected = [
            (q.isoformat(), round(100 * on_time / n, 1), n)
            for q, (n, on_time) in sorted(by_quarter.items())
        ]
        shares = [(r["month"], r["share"], r["n"]) for r in goal if r["series"] != "Goal (85%)"]
        assert shares == expected
        assert sources.rows["arms.case"] == {str(c.pk): c.marking_id for c in seen}
        records = list(
            access.case_rows(StageRecord, viewer).filter(
                completed__isnull=True, target_days=30, case__in=made
            )
        )
        assert late == [
            {"stage": "LOA offered", "state": "Open and overdue", "cases": len(records)}
        ]
        assert sources.rows["arms.stagerecord"] == {str(r.pk): r.marking_id for r in records}
        assert sources.markings == {c.marking_id for c in seen}
        assert len(records) == len(seen)


def _rollup():
    with system_access("tests: read the roll-up"):
        return sorted(
            StageStat.objects.values_list(
                "kind", "key", "owner", "partner_id", "total_days", "count", "late"
            )
        )


def test_completing_stages_keeps_the_roll_up_equal_to_a_rebuild(cast):
    obj = case("PHL", "CONFIDENTIAL//REL TO USA, PHL", stage="lor_received")
    stats.rebuild()
    cases.advance(obj, cast["us.casemgr"], on=DAY + datetime.timedelta(days=9))
    cases.advance(obj, cast["us.casemgr"], on=DAY + datetime.timedelta(days=12))
    incremental = _rollup()
    stats.rebuild()
    assert incremental == _rollup()
    assert ("stage", "lor_received", "TSFDO / ATTR SSG", "PHL", 9, 1, 0) in incremental


def test_a_roll_up_row_is_hidden_when_its_cases_are(cast):
    """Rows marked for the Philippines that sum NOFORN cases stay hidden from the Philippines."""
    from allied.core.models import StoredMarking

    with system_access("tests: a roll-up row"):
        StageStat(
            marking=StoredMarking.objects.intern("CONFIDENTIAL//REL TO USA, PHL"),
            case_marking=StoredMarking.objects.intern("SECRET//NOFORN"),
            partner_id="PHL",
            kind="stage",
            key="reviews",
            owner="Hidden owner",
            total_days=5,
            count=1,
        ).save()
    assert not StageStat.objects.visible_to(cast["phl.liaison"]).exists()
    assert StageStat.objects.visible_to(cast["us.casemgr"]).exists()


# --- review stages wait for their reviews and blockers ----------


def _pending_review(on, marking="SECRET//NOFORN"):
    from allied.arms.models import Review
    from allied.core.models import StoredMarking

    with system_access("tests: a pending review"):
        row = Review(
            case=on,
            review_type="tsfd",
            owner="DTSA",
            started=DAY,
            marking=StoredMarking.objects.intern(marking),
        )
        row.save()
    return row


def test_a_review_stage_is_refused_while_a_review_is_pending_or_a_blocker_open(cast):
    from .factories import blocker

    obj = case("PHL", "CONFIDENTIAL//REL TO USA, PHL", stage="reviews")
    _pending_review(obj)
    blocker(obj, "Awaiting the anti-tamper plan", "SECRET//NOFORN")
    client = client_for(cast["us.casemgr"])
    page = client.post(
        f"/arms/cases/{obj.pk}/advance/", {"on": "2026-06-11", "version": 1}, follow=True
    )
    text = page.content.decode()
    assert "cannot complete while there are pending review(s): TSFD (ATTR SSG)" in text
    assert "open blocker(s): Awaiting the anti-tamper plan" in text
    assert stages_of(obj)[-1] == ("reviews", None, None)
    api = client.post(
        f"/api/arms/cases/{obj.pk}/advance/",
        {"on": "2026-06-11", "version": 1},
        content_type="application/json",
    )
    assert api.status_code == 409
    body = api.json()
    assert body["pending_reviews"] == ["TSFD (ATTR SSG) (owner DTSA, since 2026-06-01)"]
    assert body["open_blockers"] == ["Awaiting the anti-tamper plan (owner DTSA, since 2026-06-01)"]
    with system_access("tests: read the case"):
        assert Case.objects.get(pk=obj.pk).version == 1  # nothing was written


def test_a_stage_that_reviews_nothing_completes_with_a_blocker_open(cast):
    from .factories import blocker

    obj = case("PHL", "CONFIDENTIAL//REL TO USA, PHL", stage="lor_validated")
    blocker(obj, "Pricing data late", "CONFIDENTIAL//REL TO USA, PHL")
    cases.advance(obj, cast["us.casemgr"], on=DAY + datetime.timedelta(days=2))
    assert stages_of(obj)[-1][0] == "reviews"


def test_a_case_managers_override_is_a_recorded_audited_decision_with_its_reason(cast):
    obj = case("PHL", "CONFIDENTIAL//REL TO USA, PHL", stage="reviews")
    review = _pending_review(obj)
    client = client_for(cast["us.casemgr"])
    response = client.post(
        f"/api/arms/cases/{obj.pk}/advance/",
        {"on": "2026-06-11", "version": 1, "override_reason": "SecDef waiver, memo 12"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert stages_of(obj)[-1][0] == "notification_data"
    entry = AuditEntry.objects.filter(object_type="arms.case", action="decision").last()
    assert entry.detail["override"] == {
        "reason": "SecDef waiver, memo 12",
        "pending_reviews": [review.pk],
        "open_blockers": [],
    }
    with system_access("tests: read history"):
        texts = list(HistoryEntry.objects.filter(case=obj).values_list("text", flat=True))
    assert any("override: SecDef waiver, memo 12" in t for t in texts)
    # The history entry carries the case's marking: it never names the NOFORN review.
    assert not any("owner DTSA" in t or "pending" in t for t in texts)


def test_only_a_case_manager_overrides(cast):
    obj = case("PHL", "CONFIDENTIAL//REL TO USA, PHL", stage="reviews")
    _pending_review(obj)
    with pytest.raises(cases.StageError, match=r"only a U\.S\. case manager"):
        cases.advance(obj, cast["us.planner"], on=DAY, override_reason="because")
    assert stages_of(obj)[-1] == ("reviews", None, None)
