"""The queue table gives the queue the scoring across every source gives, and hides what its
sources hide.

``build`` reads the narrow queue table kept by the sources; ``build_from_sources`` scores every
open request of every module (the definition). Both are compared, request by request and in
order, for a U.S. working-group member (who sees every partner priority: the stored scores) and
for partners (who see none of the NOFORN priorities: scored on the fly over the table), with
filters and a second page. Markings rule: a viewer sees a row only if its marking releases it to
the viewer (the queue row carries its source row's marking); a partner sees only its own nation's
arms cases, and a planning request is hidden with its plan.
"""

from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone

from allied.core.models import StoredMarking, system_access
from allied.working_group import entries
from allied.working_group.models import (
    FreeformRequest,
    FreeformStatus,
    PartnerPriority,
    QueueEntry,
    QueueScoring,
)
from allied.working_group.ranking import Filters, build, build_from_sources, weights_for

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
MARKINGS = (
    "UNCLASSIFIED",
    "SECRET//NOFORN",
    "CONFIDENTIAL//REL TO USA, JPN",
    "SECRET//REL TO USA, PHL",
    "UNCLASSIFIED//REL TO USA, JPN, PHL",
)


@pytest.fixture
def queue(cast):
    """The demo's cases, licences, plans and requests, plus random free-form requests, and
    NOFORN partner priorities (a partner's viewer sees none of them)."""
    from allied.arms import demo as arms_demo
    from allied.planning import demo as planning_demo
    from allied.working_group import demo as working_group_demo

    for demo in (arms_demo, planning_demo, working_group_demo):
        demo.seed()
    rnd = random.Random(15)
    with system_access("tests: requests and priorities"):
        for nation, weight in (("JPN", 2), ("PHL", 3)):
            PartnerPriority(
                nation_id=nation, weight=weight, effective_from=TODAY, reason="Test",
                set_by=cast["wg.member"], marking=StoredMarking.objects.intern("SECRET//NOFORN"),
            ).save()  # fmt: skip
        for i in range(120):
            opened = TODAY - datetime.timedelta(days=rnd.randint(0, 400))
            FreeformRequest(
                partner_id=rnd.choice(["JPN", "PHL", "KOR", "IND"]),
                kind=rnd.choice(["liaison", "training", "exercise", "other"]),
                title=f"Request {i} (fictional)",
                owner="Test",
                # Same day for many, so ties in score and age are ranked too.
                opened=opened if i % 3 else TODAY - datetime.timedelta(days=10),
                target=opened + datetime.timedelta(days=30) if i % 5 == 0 else None,
                flags=FreeformRequest.flags_text(rnd.sample(["strategic", "emergency"], i % 2)),
                created_by=cast["wg.member"],
                marking=StoredMarking.objects.intern(MARKINGS[i % len(MARKINGS)]),
            ).save()
    return cast


def keys(page):
    return [r.item.key for r in page.rows]


def same(viewer, filters=None, offset=0, limit=50):
    filters = filters or Filters()
    new = build(viewer, TODAY, filters, offset=offset, limit=limit)
    old = build_from_sources(viewer, TODAY, filters, offset=offset, limit=limit)
    assert (new.total, new.escalated) == (old.total, old.escalated), filters
    assert keys(new) == keys(old), filters
    assert [r.score.total for r in new.rows] == [r.score.total for r in old.rows]
    return new


FILTERS = (
    Filters(),
    Filters(partner="PHL", escalated=True),
    Filters(partner="JPN"),
    Filters(kind="training"),
    Filters(kind="fms_case"),
    Filters(escalated=True),
)


@pytest.mark.parametrize("username", ["wg.member", "jpn.liaison", "phl.liaison", "us.analyst"])
def test_the_table_ranks_and_counts_as_scoring_every_source_does(queue, username):
    viewer = queue[username].principal.viewer()
    first = same(viewer)
    assert first.total > 50, "a second page must exist for the comparison to mean anything"
    same(viewer, offset=50, limit=50)
    for filters in FILTERS:
        same(viewer, filters)
    stored = entries.scoring_is_stored(weights_for(viewer, TODAY), TODAY)
    # U.S. viewers cleared for them see every priority (stored scores); a partner sees none of
    # the NOFORN priorities (scored on the fly, so no stored score ranks it by them).
    assert stored == username.startswith(("wg.", "us."))


def test_the_stored_path_reads_the_stored_score(queue):
    """The member's page is ranked by the stored column: corrupt it and the order follows."""
    member = queue["wg.member"].principal.viewer()
    before = keys(build(member, TODAY))
    with system_access("tests: corrupt a stored score"):
        last = QueueEntry.objects.filter(is_open=True).order_by("score").first()
        QueueEntry.objects.filter(pk=last.pk).update(score=1e9)
    after = build(member, TODAY)
    assert keys(after)[0] != before[0]


def test_a_partner_never_counts_what_it_may_not_see(queue):
    phl = queue["phl.liaison"].principal.viewer()
    page = build(phl, TODAY, limit=1000)
    assert page.total == len(page.rows)
    with system_access("tests: what a partner may see"):
        marks = set(
            QueueEntry.objects.filter(
                source="working_group.freeform",
                source_id__in=[int(k.split(":")[1]) for k in keys(page) if "freeformrequest" in k],
            ).values_list("marking__text", flat=True)
        )
    assert "SECRET//NOFORN" not in marks
    assert "CONFIDENTIAL//REL TO USA, JPN" not in marks
    # Arms cases of other nations never reach the Philippines' desk, even releasable ones.
    assert all(r.item.partner == "PHL" for r in page.rows if r.item.key.startswith("arms."))


def test_a_closed_request_leaves_the_queue(queue):
    member = queue["wg.member"].principal.viewer()
    with system_access("tests: close a request"):
        row = FreeformRequest.objects.filter(status=FreeformStatus.OPEN).order_by("pk").first()
        key = f"working_group.freeformrequest:{row.pk}"
        row.status = FreeformStatus.DONE
        row.save()
        entry = QueueEntry.objects.get(source="working_group.freeform", source_id=row.pk)
    assert not entry.is_open
    page = same(member, limit=1000)
    assert key not in keys(page)


def test_a_decided_planning_request_leaves_the_queue(queue):
    """Deciding a request is a queryset update (no post_save): the decision keeps the table."""
    from allied.planning import authoring
    from allied.planning.models import PlanningRequest

    planner = queue["us.planner"]
    viewer = planner.principal.viewer()
    row = PlanningRequest.objects.visible_to(viewer).filter(status="open").order_by("pk").first()
    assert row is not None
    key = f"planning.planningrequest:{row.pk}"
    member = queue["wg.member"].principal.viewer()
    assert key in keys(build(member, TODAY, limit=1000))
    authoring.decide_request(planner, viewer, row, "decline", "Not now (test)", on=TODAY)
    assert key not in keys(same(member, limit=1000))


def test_a_re_marked_request_re_marks_its_queue_row(queue):
    jpn = queue["jpn.liaison"].principal.viewer()
    with system_access("tests: a request Japan may see"):
        row = FreeformRequest.objects.filter(
            partner_id="JPN", marking__text="UNCLASSIFIED", status=FreeformStatus.OPEN
        ).first()
    key = f"working_group.freeformrequest:{row.pk}"
    assert key in keys(build(jpn, TODAY, Filters(partner="JPN"), limit=1000))
    with system_access("tests: re-mark it NOFORN"):
        row.set_marking("SECRET//NOFORN")
        row.save()
        entry = QueueEntry.objects.get(source="working_group.freeform", source_id=row.pk)
    assert entry.marking.text == "SECRET//NOFORN"
    page = same(jpn, Filters(partner="JPN"), limit=1000)
    assert key not in keys(page)


def test_a_re_marked_plan_hides_the_requests_about_it(queue):
    from allied.planning.models import Contingency, PlanningRequest

    jpn = queue["jpn.liaison"].principal.viewer()
    shown = [k for k in keys(build(jpn, TODAY, limit=1000)) if k.startswith("planning.")]
    if not shown:
        pytest.skip("the demo gives Japan no planning request about a plan")
    pk = int(shown[0].split(":")[1])
    with system_access("tests: re-mark the plan"):
        request = PlanningRequest.objects.get(pk=pk)
        if request.contingency_id is None:
            pytest.skip("the request names no plan")
        plan = Contingency.objects.get(pk=request.contingency_id)
        plan.set_marking("SECRET//NOFORN")
        plan.save()
    assert shown[0] not in keys(same(jpn, limit=1000))


def test_a_new_weight_and_a_new_day_rescore_the_table(queue, cast):
    member = queue["wg.member"].principal.viewer()
    same(member)
    with system_access("tests: a new priority"):
        PartnerPriority(
            nation_id="KOR", weight=5, effective_from=TODAY, reason="Test",
            set_by=cast["wg.member"], marking=StoredMarking.objects.intern("SECRET//NOFORN"),
        ).save()  # fmt: skip
    assert QueueScoring.objects.get().digest == ""
    same(member)
    assert entries.scoring_is_stored(weights_for(member, TODAY), TODAY)
    QueueScoring.objects.update(day=TODAY - datetime.timedelta(days=1))
    same(member)
    assert QueueScoring.objects.get().day == TODAY


def test_rebuild_gives_the_rows_the_sources_kept(queue):
    """What the signals kept row by row is what a rebuild makes from the sources at once (the
    scores are the ranking tests' concern: the kept ones may wait for a stale day's refresh)."""
    with system_access("tests: the table as kept"):
        kept = set(
            QueueEntry.objects.values_list(
                "source", "source_id", "kind", "opened", "target", "flags", "marking_id",
                "plan_marking_id", "is_open",
            ).filter(is_open=True)
        )  # fmt: skip
    entries.rebuild(TODAY)
    with system_access("tests: the table rebuilt"):
        rebuilt = set(
            QueueEntry.objects.values_list(
                "source", "source_id", "kind", "opened", "target", "flags", "marking_id",
                "plan_marking_id", "is_open",
            )
        )  # fmt: skip
    assert kept == rebuilt and len(kept) > 100
