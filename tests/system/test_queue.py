"""The queue's score in SQL is the score of ``rules.priority``, and its order follows it."""

from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone

from allied.core.models import StoredMarking, system_access
from allied.working_group.models import FreeformRequest, PartnerPriority
from allied.working_group.queue import FREEFORM
from allied.working_group.ranking import Filters, build, ranked_rows, weights_for

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def requests_(cast):
    rnd = random.Random(7)
    with system_access("tests: requests and priorities"):
        marking = StoredMarking.objects.intern("UNCLASSIFIED")
        for nation, weight in (("JPN", 2), ("PHL", 3)):
            PartnerPriority(
                nation_id=nation, weight=weight, effective_from=TODAY, reason="Test",
                set_by=cast["wg.member"], marking=StoredMarking.objects.intern("SECRET//NOFORN"),
            ).save()  # fmt: skip
        for i in range(60):
            opened = TODAY - datetime.timedelta(days=rnd.randint(0, 400))
            own = rnd.random() < 0.3
            FreeformRequest(
                partner_id=rnd.choice(["JPN", "PHL", "KOR", "IND"]),
                kind=rnd.choice(["liaison", "training", "exercise", "other"]),
                title=f"Request {i} (fictional)",
                owner="Test",
                opened=opened,
                target=opened + datetime.timedelta(days=rnd.randint(0, 90)) if own else None,
                flags=FreeformRequest.flags_text(
                    rnd.sample(
                        ["strategic", "emergency", "coordinated", "unknown"], rnd.randint(0, 2)
                    )
                ),
                created_by=cast["wg.member"],
                marking=marking,
            ).save()


def test_sql_scores_equal_the_pure_rule_for_every_request(cast, requests_):
    viewer = cast["wg.member"].principal.viewer()
    weights = weights_for(viewer, TODAY)
    rows = ranked_rows(FREEFORM.rows(viewer, TODAY), weights, TODAY)
    sql = {
        r["pk"]: r for r in rows.values("pk", "q_score", "q_escalation", "q_age", "q_target_days")
    }
    items = FREEFORM.items(viewer, TODAY, list(sql))
    from allied.working_group.ranking import rank

    for ranked in rank(items.values(), weights, TODAY):
        pk = int(ranked.item.key.rsplit(":", 1)[1])
        row = sql[pk]
        assert row["q_age"] == ranked.score.age_days
        assert row["q_target_days"] == ranked.score.target_days
        assert row["q_escalation"] == ranked.score.escalation
        assert row["q_score"] == pytest.approx(ranked.score.total)


def test_pages_follow_the_score_and_cover_every_request_once(cast, requests_):
    viewer = cast["wg.member"].principal.viewer()
    seen, scores = [], []
    for offset in range(0, 80, 25):
        page = build(viewer, TODAY, offset=offset, limit=25)
        seen += [r.item.key for r in page.rows]
        scores += [r.score.total for r in page.rows]
    assert len(seen) == len(set(seen)) == page.total == 60
    assert scores == sorted(scores, reverse=True)
    escalated = build(viewer, TODAY, Filters(escalated=True), limit=100)
    assert escalated.total == page.escalated
    assert all(r.score.escalation for r in escalated.rows)


def test_every_module_source_scores_in_sql_as_the_pure_rule_does(cast):
    """Over the demo's cases, licences, planning and free-form requests."""
    from allied.arms import demo as arms_demo
    from allied.core.queue import SOURCES
    from allied.planning import demo as planning_demo
    from allied.working_group import demo as working_group_demo
    from allied.working_group.ranking import rank

    for demo in (arms_demo, planning_demo, working_group_demo):
        demo.seed()
    viewer = cast["wg.member"].principal.viewer()
    weights = weights_for(viewer, TODAY)
    checked = set()
    for source in SOURCES.values():
        rows = ranked_rows(source.rows(viewer, TODAY), weights, TODAY)
        sql = {r["pk"]: r for r in rows.values("pk", "q_score", "q_age", "q_target_days")}
        items = source.items(viewer, TODAY, list(sql))
        assert set(items) == set(sql), source.name
        for pk, ranked in zip(items, rank(items.values(), weights, TODAY), strict=True):
            assert (sql[pk]["q_age"], sql[pk]["q_target_days"]) == (
                ranked.score.age_days,
                ranked.score.target_days,
            ), (source.name, ranked.item.key)
            assert sql[pk]["q_score"] == pytest.approx(ranked.score.total), ranked.item.key
        if sql:
            checked.add(source.name)
    assert {"arms.cases", "planning.requests", "working_group.freeform"} <= checked
