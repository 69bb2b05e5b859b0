"""Foreign disclosure: asking for a release, the officer's decision, cycle times, ceilings and
trust tiers, through the pages (the API has its own module, the pure statistics theirs)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from allied.core.edit import StaleVersion
from allied.core.models import AuditEntry, StoredMarking, TrustTier, system_access
from allied.intel import disclosure
from allied.intel.models import (
    DisclosureCeiling,
    DisclosureDecision,
    DisclosureRequest,
    Portion,
    PortionRevision,
    Product,
)
from allied.markings import Level

pytestmark = pytest.mark.django_db

MI = 8  # NDP category 8, military intelligence


# --- fixtures --------------------------------------------------------------------------------


def make_product(
    author: Any,
    portions: list[str],
    *,
    metadata: str = "CONFIDENTIAL//REL TO USA, JPN",
    category: int = MI,
    title: str = "Test product (fictional)",
) -> tuple[Product, list[Portion]]:
    """A product with one portion per marking, made as test setup (system access)."""
    with system_access("tests: make a product"):
        product = Product(
            title=title,
            originator="us_agency",
            category=category,
            author=author,
            marking=StoredMarking.objects.intern(metadata),
        )
        product.banner = StoredMarking.objects.intern(portions[0])
        product.save()
        rows = []
        for order, text in enumerate(portions, start=1):
            row = Portion(product=product, order=order, text=f"Portion {order}: {text}")
            row.set_marking(text)
            row.save()
            rows.append(row)
        product.banner = disclosure.roll_up_banner(product)
        product.save()
    return product, rows


def set_tier(nation: str, tier: int, by: Any, *, start: datetime.date | None = None) -> TrustTier:
    with system_access("tests: set a trust tier"):
        row = TrustTier(
            nation_id=nation,
            tier=tier,
            effective_from=start or timezone.localdate() - datetime.timedelta(days=30),
            set_by=by,
            reason="Test tier (fictional).",
            marking=StoredMarking.objects.intern("SECRET//NOFORN"),
        )
        row.save()
    return row


def set_ceiling(nation: str, category: int, level: Level, by: Any) -> DisclosureCeiling:
    with system_access("tests: record a ceiling"):
        row = DisclosureCeiling(
            nation_id=nation,
            category=category,
            level=int(level),
            effective_from=timezone.localdate() - datetime.timedelta(days=30),
            set_by=by,
            reason="Test ceiling (fictional).",
            marking=StoredMarking.objects.intern("SECRET//NOFORN"),
        )
        row.save()
    return row


@pytest.fixture
def japan(cast: dict[str, Any]) -> dict[str, Any]:
    """Japan at trust tier 4 with a recorded SECRET ceiling for military intelligence."""
    return {
        "tier": set_tier("JPN", 4, cast["us.fdo"]),
        "ceiling": set_ceiling("JPN", MI, Level.S, cast["us.fdo"]),
    }


@pytest.fixture
def product(cast: dict[str, Any]) -> tuple[Product, list[Portion]]:
    return make_product(
        cast["us.analyst"],
        ["SECRET//NOFORN", "SECRET//NOFORN", "SECRET//REL TO USA, JPN", "UNCLASSIFIED"],
    )


def ask(
    cast: dict[str, Any],
    product: Product,
    portions: list[Portion],
    partner: str = "JPN",
    purpose: str = "Exercise planning (fictional).",
) -> DisclosureRequest:
    from allied.core.models import Nation

    analyst = cast["us.analyst"]
    return disclosure.create_request(
        user=analyst,
        viewer=analyst.principal.viewer(),
        product=product,
        portions=portions,
        partner=Nation.objects.get(iso3=partner),
        purpose=purpose,
    )


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def decide_url(req: DisclosureRequest) -> str:
    return reverse("intel:disclosure-decide", args=[req.pk])


def post_decision(client: Client, req: DisclosureRequest, **fields: Any) -> Any:
    """Open the decision page, then submit it with the state it showed (as a browser would)."""
    page = client.get(decide_url(req))
    assert page.status_code == 200
    ctx = page.context["ctx"]
    data = {
        "seen_number": ctx.latest_number,
        "seen_product_version": ctx.product.version if ctx.product else "",
        **fields,
    }
    return client.post(decide_url(req), data)


def reload(obj: Any) -> Any:
    with system_access("tests: read back"):
        return type(obj).objects.get(pk=obj.pk)


def snapshot(product: Product) -> dict[str, Any]:
    """Everything an approval could change, to show that a refused one changed nothing."""
    with system_access("tests: snapshot"):
        return {
            "product": Product.objects.filter(pk=product.pk).values_list(
                "version", "banner_id", "marking_id"
            )[0],
            "portions": list(
                Portion.objects.filter(product=product)
                .order_by("pk")
                .values_list("pk", "marking_id", "version", "section")
            ),
            "revisions": PortionRevision.objects.filter(portion__product=product).count(),
            "decisions": DisclosureDecision.objects.filter(request__product=product).count(),
            "statuses": list(
                DisclosureRequest.objects.filter(product=product).values_list("status", flat=True)
            ),
        }


def jpn_sees(cast: dict[str, Any], portion: Portion) -> bool:
    viewer = cast["jpn.liaison"].principal.viewer()
    return Portion.objects.visible_to(viewer).filter(pk=portion.pk).exists()


# --- asking ------------------------------------------------------------------------------------


def test_a_us_user_asks_for_chosen_portions_and_the_request_is_marked_with_their_roll_up(
    cast, product
):
    prod, portions = product
    client = client_for(cast["us.planner"])
    url = reverse("intel:disclosure-request-create") + f"?product={prod.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert b"Portion 1" in page.content
    response = client.post(
        url,
        {
            "portions": [portions[0].pk, portions[2].pk],
            "partner": "JPN",
            "purpose": "Maritime patrol planning (fictional).",
        },
    )
    assert response.status_code == 302
    req = DisclosureRequest.objects.visible_to(cast["us.planner"]).get()
    assert req.marking.text == "SECRET//NOFORN"
    assert req.partner_id == "JPN" and req.status == "pending"
    chosen = Portion.objects.visible_to(cast["us.planner"]).filter(requests=req)
    assert {p.pk for p in chosen} == {portions[0].pk, portions[2].pk}
    assert AuditEntry.objects.filter(
        action="write", object_type="intel.disclosurerequest", object_id=str(req.pk)
    ).exists()


def test_a_request_may_name_only_portions_its_asker_may_see(cast):
    prod, portions = make_product(cast["us.analyst"], ["TOP SECRET//NOFORN", "SECRET//NOFORN"])
    client = client_for(cast["us.planner"])  # cleared SECRET
    url = reverse("intel:disclosure-request-create") + f"?product={prod.pk}"
    page = client.get(url)
    assert b"Portion 1" not in page.content and b"Portion 2" in page.content
    response = client.post(url, {"portions": [portions[0].pk], "partner": "JPN", "purpose": "x"})
    assert response.status_code == 400
    assert not DisclosureRequest.objects.visible_to(cast["us.analyst"]).exists()


def test_a_request_for_portions_already_releasable_to_the_partner_is_refused(cast, product):
    prod, portions = product
    client = client_for(cast["us.analyst"])
    url = reverse("intel:disclosure-request-create") + f"?product={prod.pk}"
    response = client.post(url, {"portions": [portions[2].pk], "partner": "JPN", "purpose": "x"})
    assert response.status_code == 400
    assert b"already releasable to JPN" in response.content


def partner_asks(cast: dict[str, Any], product: Product, who: str = "jpn.liaison") -> Any:
    url = reverse("intel:disclosure-request-create") + f"?product={product.pk}"
    return client_for(cast[who]).post(
        url, {"product": product.pk, "purpose": "Exercise (fictional)."}
    )


def hidden_traces(portions: list[Portion], shown: set[int]) -> list[str]:
    """What a page must not hold about the portions a partner may not read: text and ids."""
    return [
        t
        for p in portions
        if p.pk not in shown
        for t in (p.text, f'name="portions" value="{p.pk}"', f"portion {p.pk}")
    ]


def test_a_partner_that_reads_part_of_a_product_asks_for_more_of_it_with_its_purpose(cast, product):
    prod, portions = product  # Japan reads portions 3 and 4 (its tearline), not 1 and 2
    client = client_for(cast["jpn.liaison"])
    url = reverse("intel:disclosure-request-create")
    pick = client.get(url)
    assert pick.status_code == 200 and prod.title.encode() in pick.content
    form = client.get(url + f"?product={prod.pk}")
    assert form.status_code == 200
    assert list(form.context["form"].fields) == ["purpose"]  # no portion, no partner to choose
    html = form.content.decode()
    for trace in hidden_traces(portions, {portions[2].pk, portions[3].pk}):
        assert trace not in html
    assert "NOFORN" not in html
    # Nor the product's version, which moves when a hidden portion changes.
    assert "version" not in html.split("<main")[-1]

    response = partner_asks(cast, prod)
    assert response.status_code == 302
    with system_access("tests: read the request"):
        req = DisclosureRequest.objects.get()
        assert (req.partner_id, req.scope, req.requested_by) == ("JPN", "rest", cast["jpn.liaison"])
        assert not req.portions.exists()
        assert AuditEntry.objects.filter(
            action="write", object_id=str(req.pk), detail__scope="rest"
        ).exists()
    # Marked so that Japan and the U.S. read it, and no other partner learns that Japan asked.
    assert req.marking.text == "CONFIDENTIAL//REL TO USA, JPN"
    detail = client.get(reverse("intel:disclosure-request-detail", args=[req.pk]))
    assert detail.status_code == 200 and b"Pending" in detail.content
    html = detail.content.decode()
    for trace in hidden_traces(portions, set()):
        assert trace not in html
    assert "NOFORN" not in html and "None of the requested portions" not in html
    assert "version" not in html.split("<main")[-1]
    mine = client.get(reverse("intel:disclosure-request-list"))
    assert [r.pk for r in mine.context["object_list"]] == [req.pk]
    assert not DisclosureRequest.objects.visible_to(cast["kor.liaison"]).exists()
    # The working group's status page lists it among Japan's requests, and only there.
    stand = client.get(reverse("wg:status"))
    keys = [row["item"].key for row in stand.context["rows"]]
    assert f"intel.disclosurerequest:{req.pk}" in keys
    for trace in hidden_traces(portions, set()):
        assert trace not in stand.content.decode()
    kor = client_for(cast["kor.liaison"]).get(reverse("wg:status"))
    assert f"intel.disclosurerequest:{req.pk}" not in [r["item"].key for r in kor.context["rows"]]


def test_a_partners_request_answers_alike_whatever_the_rest_of_the_product_holds(cast):
    """Asking tells the partner nothing: a product it reads whole and one with hidden portions
    give the same form and the same answer."""
    whole, _ = make_product(cast["us.analyst"], ["SECRET//REL TO USA, JPN"])
    part, _ = make_product(cast["us.analyst"], ["SECRET//REL TO USA, JPN", "TOP SECRET//NOFORN"])
    client = client_for(cast["jpn.liaison"])
    url = reverse("intel:disclosure-request-create")
    forms = [client.get(url + f"?product={p.pk}") for p in (whole, part)]
    assert [f.status_code for f in forms] == [200, 200]
    assert list(forms[0].context["form"].fields) == list(forms[1].context["form"].fields)
    answers = [partner_asks(cast, p) for p in (whole, part)]
    assert [a.status_code for a in answers] == [302, 302]
    details = [client.get(a["Location"]).content.decode() for a in answers]
    sections = [d.split("<h2>Requested portions</h2>")[1].split("<h2>")[0] for d in details]
    assert sections[0] == sections[1]
    with system_access("tests: read the requests"):
        marks = [r.marking.text for r in DisclosureRequest.objects.order_by("pk")]
    assert marks[0] == marks[1] == "CONFIDENTIAL//REL TO USA, JPN"


def test_a_partner_asks_only_for_itself_and_names_no_portion(cast, product):
    from allied.core.models import Nation

    prod, portions = product
    liaison = cast["jpn.liaison"]
    viewer = liaison.principal.viewer()
    with pytest.raises(disclosure.Refused) as refused:
        disclosure.create_request(
            user=liaison,
            viewer=viewer,
            product=prod,
            portions=[portions[2]],
            partner=Nation.objects.get(iso3="KOR"),
            purpose=" ",
        )
    assert set(refused.value.errors) == {"partner", "portions", "purpose"}
    with system_access("tests: count requests"):
        assert not DisclosureRequest.objects.exists()


def test_an_officer_sees_and_approves_what_the_partner_could_not_read(cast, japan):
    prod, portions = make_product(
        cast["us.analyst"],
        ["SECRET//REL TO USA, GBR", "SECRET//REL TO USA, JPN"],
        metadata="SECRET//REL TO USA, JPN",
    )
    assert not jpn_sees(cast, portions[0])
    assert partner_asks(cast, prod).status_code == 302
    with system_access("tests: read the request"):
        req = DisclosureRequest.objects.get()
    officer = client_for(cast["us.fdo"])
    queue = officer.get(reverse("intel:disclosure-queue"))
    assert [r.pk for r in queue.context["object_list"]] == [req.pk]
    page = officer.get(decide_url(req))
    ctx = page.context["ctx"]
    # Only what Japan cannot read yet is part of the request.
    assert [c.portion.pk for c in ctx.portions] == [portions[0].pk]
    assert ctx.can_approve, ctx.blockers
    detail = officer.get(reverse("intel:disclosure-request-detail", args=[req.pk]))
    assert portions[0].text.encode() in detail.content
    assert portions[1].text.encode() not in detail.content
    response = post_decision(officer, req, outcome="approve")
    assert response.status_code == 302
    assert jpn_sees(cast, reload(portions[0]))
    assert reload(req).status == "approved"
    # Japan sees the outcome on its request, never the deliberation.
    mine = client_for(cast["jpn.liaison"]).get(
        reverse("intel:disclosure-request-detail", args=[req.pk])
    )
    assert b"Approved" in mine.content and b"No decision you may see yet" in mine.content


def test_a_partner_request_for_a_product_it_reads_whole_cannot_be_approved(cast, japan):
    prod, _ = make_product(cast["us.analyst"], ["SECRET//REL TO USA, JPN"])
    assert partner_asks(cast, prod).status_code == 302
    with system_access("tests: read the request"):
        req = DisclosureRequest.objects.get()
    ctx = client_for(cast["us.fdo"]).get(decide_url(req)).context["ctx"]
    assert not ctx.can_approve
    assert ctx.blockers == ["JPN reads every portion of this product already."]


def test_a_product_the_asker_may_not_see_answers_like_a_missing_one(cast):
    prod, _ = make_product(cast["us.analyst"], ["TOP SECRET//NOFORN"], metadata="TOP SECRET")
    client = client_for(cast["us.planner"])
    url = reverse("intel:disclosure-request-create")
    hidden = client.get(url + f"?product={prod.pk}")
    missing = client.get(url + "?product=987654321")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_the_product_page_action_links_to_a_request_us_users_and_partners_alike(cast, product, rf):
    from django.template.loader import render_to_string

    prod, _ = product
    for username, label in (
        ("us.analyst", "Request release to a partner"),
        ("jpn.liaison", "Ask for more of this product"),
    ):
        html = render_to_string(
            "intel/_product_actions.html", {"product": prod, "user": cast[username]}
        )
        assert label in html, username
        assert f"?product={prod.pk}" in html


# --- approving ---------------------------------------------------------------------------------


def test_approval_widens_exactly_the_chosen_portions_keeps_a_revision_and_bumps_versions(
    cast, product, japan
):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    assert not jpn_sees(cast, portions[0])

    response = post_decision(client_for(cast["us.fdo"]), req, outcome="approve", reason="Fine.")

    assert response.status_code == 302
    chosen, untouched = reload(portions[0]), reload(portions[1])
    assert chosen.marking.text == "SECRET//REL TO USA, JPN" and chosen.version == 2
    assert untouched.marking.text == "SECRET//NOFORN" and untouched.version == 1
    with system_access("tests: read the revision"):
        revision = PortionRevision.objects.get(portion=chosen)
    assert (revision.version, revision.text, revision.marking.text) == (
        1,
        portions[0].text,
        "SECRET//NOFORN",
    )
    assert revision.changed_by == cast["us.fdo"]
    product_now = reload(prod)
    assert product_now.version == 2
    assert product_now.banner.text == "SECRET//NOFORN"  # the other NOFORN portion still rolls up
    req = reload(req)
    assert req.status == "approved" and req.decided_at is not None
    assert jpn_sees(cast, chosen)


def test_approval_rolls_the_banner_up_again_from_every_portion(cast, japan):
    prod, portions = make_product(cast["us.analyst"], ["SECRET//NOFORN", "SECRET//REL TO USA, JPN"])
    req = ask(cast, prod, [portions[0]])
    post_decision(client_for(cast["us.fdo"]), req, outcome="approve")
    assert reload(prod).banner.text == "SECRET//REL TO USA, JPN"


@pytest.mark.parametrize(
    ("marking", "why"),
    [
        pytest.param("TOP SECRET//NOFORN", b"above JPN&#x27;s ceiling", id="above-ceiling"),
        pytest.param("SECRET//ORCON/NOFORN", b"ORCON", id="orcon"),
        pytest.param("SECRET//HCS-P//NOFORN", b"HCS requires NOFORN", id="hcs"),
        pytest.param("//GBR S//REL TO USA, GBR", b"foreign government information", id="fgi"),
    ],
)
def test_approval_is_refused_when_a_portion_is_above_the_ceiling_or_blocked_and_nothing_changes(
    cast, japan, marking, why
):
    for username in ("us.fdo", "us.analyst"):  # HCS needs its access to be seen at all
        principal = cast[username].principal
        principal.accesses = [*principal.accesses, "HCS", "HCS-P"]
        principal.save()
    prod, portions = make_product(cast["us.analyst"], [marking, "SECRET//NOFORN"])
    req = ask(cast, prod, portions)
    before = snapshot(prod)

    response = post_decision(client_for(cast["us.fdo"]), req, outcome="approve")

    assert response.status_code == 400
    assert b"Approval is refused" in response.content and why in response.content
    assert snapshot(prod) == before
    assert not jpn_sees(cast, reload(portions[1]))


def test_the_decision_page_shows_the_category_ceiling_tier_and_each_portions_widening(
    cast, product, japan
):
    prod, portions = product
    req = ask(cast, prod, [portions[0], portions[1]])
    page = client_for(cast["us.fdo"]).get(decide_url(req))
    assert page.status_code == 200
    body = page.content.decode()
    assert "8. Military intelligence" in body
    assert "Recorded ceiling in force" in body and "SECRET from" in body
    assert "Trust tier in force" in body and "4 from" in body
    assert "(S//REL TO USA, JPN)" in body
    assert page.context["ctx"].effective == Level.S
    # The page shows NOFORN assessments, so its banner says so.
    assert "SECRET//NOFORN" in body


def test_raising_the_trust_tier_raises_the_effective_ceiling(cast, japan):
    prod, portions = make_product(cast["us.analyst"], ["TOP SECRET//NOFORN"])
    req = ask(cast, prod, portions)
    officer = client_for(cast["us.fdo"])
    assert officer.get(decide_url(req)).context["ctx"].effective == Level.S

    response = officer.post(
        reverse("intel:trust-tier-set"),
        {
            "nation": "JPN",
            "tier": 5,
            "effective_from": timezone.localdate().isoformat(),
            "reason": "Counterintelligence survey passed (fictional).",
            "marking": "SECRET//NOFORN",
        },
    )
    assert response.status_code == 302
    tier = TrustTier.objects.visible_to(cast["us.fdo"]).filter(tier=5).get()
    assert (tier.nation_id, tier.set_by, tier.marking.text) == (
        "JPN",
        cast["us.fdo"],
        "SECRET//NOFORN",
    )
    assert AuditEntry.objects.filter(
        action="write", object_type="core.trusttier", object_id=str(tier.pk)
    ).exists()
    assert officer.get(decide_url(req)).context["ctx"].effective == Level.TS
    assert post_decision(officer, req, outcome="approve").status_code == 302
    assert reload(portions[0]).marking.text == "TOP SECRET//REL TO USA, JPN"


def test_a_trust_tier_that_starts_tomorrow_is_not_in_force_today(cast, japan):
    set_tier("JPN", 5, cast["us.fdo"], start=timezone.localdate() + datetime.timedelta(days=1))
    prod, portions = make_product(cast["us.analyst"], ["TOP SECRET//NOFORN"])
    req = ask(cast, prod, portions)
    assert client_for(cast["us.fdo"]).get(decide_url(req)).context["ctx"].effective == Level.S


def test_a_sanitised_approval_adds_a_tearline_portion_the_partner_can_see(cast, product, japan):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    response = post_decision(
        client_for(cast["us.fdo"]),
        req,
        outcome="approve_sanitised",
        sanitised_text="Survey vessels were active near the strait (fictional).",
        sanitised_marking="(C//REL TO USA, JPN)",
    )
    assert response.status_code == 302
    with system_access("tests: read the tearline"):
        tearline = Portion.objects.get(product=prod, section__gt=0)
    assert tearline.section == 1 and tearline.marking.text == "CONFIDENTIAL//REL TO USA, JPN"
    assert jpn_sees(cast, tearline)
    assert reload(portions[0]).marking.text == "SECRET//NOFORN"  # the original stays
    assert reload(prod).version == 2
    decision = DisclosureDecision.objects.visible_to(cast["us.fdo"]).get(request=req)
    assert decision.outcome == "approve_sanitised" and "strait" in decision.sanitised_text
    assert reload(req).status == "approved_sanitised"


@pytest.mark.parametrize(
    "mark",
    ["(S//REL TO USA, KOR)", "(TS//REL TO USA, JPN)", "(S//NF)", "(S//REL TO USA JPN)"],
)
def test_sanitised_text_the_partner_may_not_receive_is_refused(cast, product, japan, mark):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    before = snapshot(prod)
    response = post_decision(
        client_for(cast["us.fdo"]),
        req,
        outcome="approve_sanitised",
        sanitised_text="Releasable text (fictional).",
        sanitised_marking=mark,
    )
    assert response.status_code == 400
    assert snapshot(prod) == before


# --- denying, escalating, and the record of decisions ---------------------------------------


@pytest.mark.parametrize("outcome", ["deny", "escalate"])
def test_deny_and_escalate_need_a_reason(cast, product, japan, outcome):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    officer = client_for(cast["us.fdo"])
    refused = post_decision(officer, req, outcome=outcome, reason="  ")
    assert refused.status_code == 400 and b"Give the reason" in refused.content
    assert snapshot(prod)["decisions"] == 0

    done = post_decision(officer, req, outcome=outcome, reason="Not for this purpose.")
    assert done.status_code == 302
    assert reload(req).status == {"deny": "denied", "escalate": "escalated"}[outcome]
    assert reload(portions[0]).marking.text == "SECRET//NOFORN"


def test_a_stale_decision_form_is_refused_and_nothing_is_written(cast, product, japan):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    first, second = client_for(cast["us.fdo"]), client_for(cast["us.fdo"])
    shown = first.get(decide_url(req)).context["ctx"]
    # Another officer decides while the first still has the form open.
    other = post_decision(second, req, outcome="escalate", reason="Needs the originator.")
    assert other.status_code == 302
    before = snapshot(prod)

    response = first.post(
        decide_url(req),
        {
            "outcome": "approve",
            "seen_number": shown.latest_number,
            "seen_product_version": shown.product.version,
        },
    )

    assert response.status_code == 409
    assert (
        b"Nothing was saved" in response.content and b"Decision 1 was recorded" in response.content
    )
    assert snapshot(prod) == before
    assert response.context["form"].initial["seen_number"] == 1  # the page now shows decision 1


def test_a_change_to_the_product_since_the_form_was_shown_is_refused(cast, product, japan):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    officer = client_for(cast["us.fdo"])
    shown = officer.get(decide_url(req)).context["ctx"]
    with system_access("tests: the author edits the product"):
        Product.objects.filter(pk=prod.pk).update(version=5)
    response = officer.post(
        decide_url(req),
        {"outcome": "approve", "seen_number": 0, "seen_product_version": shown.product.version},
    )
    assert response.status_code == 409
    assert reload(portions[0]).marking.text == "SECRET//NOFORN"


def test_decisions_are_numbered_superseded_never_overwritten_and_audited(cast, product, japan):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    officer = client_for(cast["us.fdo"])
    post_decision(officer, req, outcome="escalate", reason="Exception to policy needed.")
    post_decision(officer, req, outcome="approve", reason="Exception granted.")

    decisions = list(
        DisclosureDecision.objects.visible_to(cast["us.fdo"]).filter(request=req).order_by("number")
    )
    assert [(d.number, d.outcome, d.reason) for d in decisions] == [
        (1, "escalate", "Exception to policy needed."),
        (2, "approve", "Exception granted."),
    ]
    assert decisions[1].product_version == 2 and decisions[0].product_version == 1
    assert (decisions[1].ceiling, decisions[1].trust_tier) == (int(Level.S), 4)
    assert all(d.marking.text == "SECRET//NOFORN" for d in decisions)
    req = reload(req)
    assert req.status == "approved" and req.decided_at == decisions[1].decided_at
    entries = AuditEntry.objects.filter(action="decision", object_type="intel.disclosuredecision")
    assert sorted((e.detail["number"], e.detail["outcome"]) for e in entries) == [
        (1, "escalate"),
        (2, "approve"),
    ]
    assert entries.get(detail__number=2).detail["supersedes"] == 1
    assert entries.get(detail__number=2).detail["portions"][0]["to"] == "(S//REL TO USA, JPN)"


def test_a_full_approval_closes_the_request(cast, product, japan):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    officer = client_for(cast["us.fdo"])
    post_decision(officer, req, outcome="approve")
    page = officer.get(decide_url(req))
    assert b"cannot be withdrawn" in page.content
    response = officer.post(
        decide_url(req), {"outcome": "deny", "reason": "Changed my mind.", "seen_number": 1}
    )
    assert response.status_code == 400
    assert snapshot(prod)["decisions"] == 1


# --- who may see and do what ---------------------------------------------------------------------


def test_non_officers_cannot_decide_or_open_the_queue(cast, product, japan):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    analyst = client_for(cast["us.analyst"])
    assert analyst.get(decide_url(req)).status_code == 403
    response = analyst.post(decide_url(req), {"outcome": "approve", "seen_number": 0})
    assert response.status_code == 403
    assert analyst.get(reverse("intel:disclosure-queue")).status_code == 403
    assert analyst.get(reverse("intel:trust-tier-set")).status_code == 403
    assert analyst.get(reverse("intel:ceiling-create")).status_code == 403
    assert snapshot(prod)["decisions"] == 0


def test_the_queue_lists_waiting_requests_oldest_first_for_the_officer(cast, product, japan):
    prod, portions = product
    older = ask(cast, prod, [portions[0]], purpose="Older (fictional).")
    newer = ask(cast, prod, [portions[1]], partner="KOR", purpose="Newer (fictional).")
    decided = ask(cast, prod, [portions[1]], partner="AUS", purpose="Decided (fictional).")
    with system_access("tests: date the requests"):
        DisclosureRequest.objects.filter(pk=older.pk).update(
            requested_at=timezone.now() - datetime.timedelta(days=3)
        )
    post_decision(client_for(cast["us.fdo"]), decided, outcome="deny", reason="No.")
    page = client_for(cast["us.fdo"]).get(reverse("intel:disclosure-queue"))
    assert page.status_code == 200
    assert [r.pk for r in page.context["object_list"]] == [older.pk, newer.pk]
    every = client_for(cast["us.fdo"]).get(reverse("intel:disclosure-queue") + "?status=all")
    assert {r.pk for r in every.context["object_list"]} == {older.pk, newer.pk, decided.pk}


def test_a_partner_never_sees_the_request_or_its_decisions(cast, product, japan):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    post_decision(client_for(cast["us.fdo"]), req, outcome="approve")
    decision = DisclosureDecision.objects.visible_to(cast["us.fdo"]).get(request=req)
    partner = client_for(cast["jpn.liaison"])

    for url in (
        reverse("intel:disclosure-request-detail", args=[req.pk]),
        decide_url(req),
        f"/api/intel/disclosure-requests/{req.pk}/",
        f"/api/intel/disclosure-requests/{req.pk}/decide/",
        f"/api/intel/disclosure-decisions/{decision.pk}/",
    ):
        hidden = partner.get(url)
        missing = partner.get(
            url.replace(f"/{req.pk}/", "/987654321/").replace(f"/{decision.pk}/", "/987654321/")
        )
        assert hidden.status_code == missing.status_code == 404, url
        assert hidden.content == missing.content, url
    assert partner.get("/api/intel/disclosure-requests/").json()["results"] == []
    assert partner.get("/api/intel/disclosure-decisions/").json()["results"] == []
    # Japan now sees the released portion, but not the deliberation about it.
    assert jpn_sees(cast, reload(portions[0]))


def test_a_decision_is_noforn_even_when_its_request_is_releasable_to_a_partner(cast):
    prod, portions = make_product(
        cast["us.analyst"], ["SECRET//REL TO USA, GBR"], metadata="SECRET//REL TO USA, GBR"
    )
    req = ask(cast, prod, portions)  # about GBR-releasable content, for Japan
    post_decision(client_for(cast["us.fdo"]), req, outcome="deny", reason="Not now.")
    gbr = cast["gbr.liaison"]
    assert DisclosureRequest.objects.visible_to(gbr).filter(pk=req.pk).exists()
    decision = DisclosureDecision.objects.visible_to(cast["us.fdo"]).get(request=req)
    assert decision.marking.text == "SECRET//NOFORN"
    assert not DisclosureDecision.objects.visible_to(gbr).exists()
    assert client_for(gbr).get("/api/intel/disclosure-decisions/").json()["results"] == []


def test_the_requester_follows_their_requests(cast, product, japan):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    client = client_for(cast["us.analyst"])
    listing = client.get(reverse("intel:disclosure-request-list"))
    assert [r.pk for r in listing.context["object_list"]] == [req.pk]
    detail = client.get(reverse("intel:disclosure-request-detail", args=[req.pk]))
    assert detail.status_code == 200 and b"Pending" in detail.content
    assert b"Decide" not in detail.content
    assert (
        client_for(cast["us.planner"])
        .get(reverse("intel:disclosure-request-list"))
        .context["object_list"]
        == []
    )


# --- cycle time ----------------------------------------------------------------------------------


def test_stats_are_right_on_a_known_set(cast, product, japan):
    prod, portions = product
    officer = client_for(cast["us.fdo"])
    now = timezone.now()
    # (partner, hours to decision or None while waiting)
    plan = [("JPN", 2), ("JPN", 4), ("JPN", 12), ("KOR", 72), ("KOR", None)]
    for index, (partner, hours) in enumerate(plan):
        req = ask(cast, prod, [portions[index % 2]], partner=partner, purpose=f"Stats {index}")
        asked = now - datetime.timedelta(days=10)
        if hours is not None:
            post_decision(officer, req, outcome="deny", reason="For the statistics.")
        with system_access("tests: date the request"):
            DisclosureRequest.objects.filter(pk=req.pk).update(requested_at=asked)
            if hours is not None:
                done = asked + datetime.timedelta(hours=hours)
                DisclosureDecision.objects.filter(request=req).update(decided_at=done)
                DisclosureRequest.objects.filter(pk=req.pk).update(decided_at=done)

    page = client_for(cast["wg.member"]).get(reverse("intel:disclosure-stats"))

    assert page.status_code == 200
    rows = {row.key: row for row in page.context["by_partner"]}
    assert (rows["JPN"].decided, rows["JPN"].median, rows["JPN"].p90) == (3, "4 h", "10 h 24 min")
    assert (rows["KOR"].decided, rows["KOR"].median, rows["KOR"].waiting) == (1, "3 d", 1)
    [fdo] = page.context["by_officer"]
    assert (fdo.key, fdo.decided, fdo.median) == ("us.fdo", 4, "8 h")
    assert page.context["overall"].waiting == 1
    # Numbers over NOFORN rows are NOFORN.
    assert b"SECRET//NOFORN" in page.content


def test_stats_count_only_what_the_viewer_may_see(cast, japan):
    prod, portions = make_product(cast["us.analyst"], ["TOP SECRET//SI-G//NOFORN"])
    ask(cast, prod, portions)  # the analyst holds SI-G; the officer does not
    page = client_for(cast["us.fdo"]).get(reverse("intel:disclosure-stats"))
    assert page.context["overall"].decided == 0 and page.context["overall"].waiting == 0


def test_stats_are_for_officers_and_the_working_group(cast):
    assert client_for(cast["us.analyst"]).get(reverse("intel:disclosure-stats")).status_code == 403
    assert client_for(cast["us.fdo"]).get(reverse("intel:disclosure-stats")).status_code == 200


# --- ceilings and trust tiers -------------------------------------------------------------------


def test_an_officer_records_a_ceiling_effective_dated_marked_and_audited(cast, japan):
    officer = client_for(cast["us.fdo"])
    response = officer.post(
        reverse("intel:ceiling-create"),
        {
            "nation": "KOR",
            "category": 5,
            "level": int(Level.S),
            "effective_from": timezone.localdate().isoformat(),
            "reason": "Combined command arrangements (fictional).",
            "marking": "SECRET//NOFORN",
        },
    )
    assert response.status_code == 302
    row = DisclosureCeiling.objects.visible_to(cast["us.fdo"]).get(nation_id="KOR")
    assert (row.category, row.level, row.set_by, row.marking.text) == (
        5,
        int(Level.S),
        cast["us.fdo"],
        "SECRET//NOFORN",
    )
    assert AuditEntry.objects.filter(
        action="write", object_type="intel.disclosureceiling", object_id=str(row.pk)
    ).exists()
    page = officer.get(reverse("intel:ceiling-list"))
    assert page.status_code == 200
    kor = next(r for r in page.context["matrix"] if r.nation == "KOR")
    assert kor.cells[4].recorded == Level.S and kor.cells[4].effective == Level.S


def test_an_assessment_its_officer_could_not_read_back_is_refused(cast):
    response = client_for(cast["us.fdo"]).post(
        reverse("intel:trust-tier-set"),
        {
            "nation": "JPN",
            "tier": 5,
            "effective_from": timezone.localdate().isoformat(),
            "reason": "x",
            "marking": "TOP SECRET//SI-G//NOFORN",  # the officer holds no SI-G
        },
    )
    assert response.status_code == 400
    assert not TrustTier.objects.visible_to(cast["us.analyst"]).exists()


def test_a_partner_does_not_see_its_noforn_ceiling(cast, japan):
    page = client_for(cast["jpn.liaison"]).get(reverse("intel:ceiling-list"))
    assert page.status_code == 200
    assert page.context["matrix"] == [] and list(page.context["object_list"]) == []
    assert b"Set a trust tier" not in page.content


def test_the_officers_home_links_the_queue_and_the_stats(cast):
    body = client_for(cast["us.fdo"]).get(reverse("home")).content.decode()
    assert f'href="{reverse("intel:disclosure-queue")}"' in body
    assert reverse("intel:disclosure-stats") in body
    # The queue's address is a prefix of the request form's, which a liaison officer is offered.
    assert f'href="{reverse("intel:disclosure-queue")}"' not in (
        client_for(cast["jpn.liaison"]).get(reverse("home")).content.decode()
    )


# --- the database wall ---------------------------------------------------------------------------


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="row-level security is a PostgreSQL feature",
)
def test_an_approval_passes_the_database_wall_as_the_application_role(cast, product, japan):
    """Locks, reads and writes of a decision all work under row-level security, and a partner's
    settings still show no request row afterwards."""
    from django.db import connection, transaction

    from allied.core.rls import APP_ROLE, grant_app_role
    from allied.core.visibility import viewer_settings

    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    officer = cast["us.fdo"]
    grant_app_role()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'SET LOCAL ROLE "{APP_ROLE}"')
        made = disclosure.decide_request(
            req.pk,
            user=officer,
            viewer=officer.principal.viewer(),
            given=disclosure.DecisionInput(outcome="approve", seen_number=0),
        )
        jpn = viewer_settings(cast["jpn.liaison"].principal.viewer(), timezone.localdate())
        with connection.cursor() as cursor:
            for name, value in jpn.items():
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
            cursor.execute("SELECT count(*) FROM intel_disclosurerequest")
            requests_seen = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM intel_portion WHERE id = %s", [portions[0].pk])
            portion_seen = cursor.fetchone()
            cursor.execute("RESET ROLE")
    assert made.number == 1
    assert requests_seen == (0,)
    assert portion_seen == (1,)
    assert reload(portions[0]).marking.text == "SECRET//REL TO USA, JPN"


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="concurrent transactions need a server database",
)
@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_at_once_record_one_decision_and_one_conflict(cast, product, japan):
    import threading

    from django.db import connection, transaction

    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    officer = cast["us.fdo"]
    viewer = officer.principal.viewer()
    both_read = threading.Barrier(2)
    results: list[str] = []

    def decide(outcome: str) -> None:
        try:
            with transaction.atomic():
                # Both officers have read the request (decision 0) before either writes. (Only
                # restricted reads here: an audited one would take the audit lock to commit.)
                disclosure.decision_context(req, viewer)
                both_read.wait(timeout=10)
                disclosure.decide_request(
                    req.pk,
                    user=officer,
                    viewer=viewer,
                    given=disclosure.DecisionInput(outcome=outcome, seen_number=0, reason="x"),
                )
            results.append("decided")
        except StaleVersion:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(o,)) for o in ("deny", "escalate")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["conflict", "decided"]
    with system_access("tests: count decisions"):
        assert DisclosureDecision.objects.filter(request=req).count() == 1


def test_a_partner_asks_for_more_of_a_cui_product_and_the_officer_releases_it(cast, japan):
    """Rule 30: CUI marks in the registry's form are stored, shown and released like others."""
    prod, portions = make_product(
        cast["us.analyst"],
        ["CUI//SP-CTI//REL TO USA, JPN", "CUI//SP-PRVCY//NOFORN", "CUI//SP-CTI//FED ONLY"],
        metadata="CUI//REL TO USA, JPN",
    )
    assert reload(prod).banner.text == "CUI//SP-CTI/SP-PRVCY//NOFORN/FED ONLY"
    assert [jpn_sees(cast, p) for p in portions] == [True, False, False]
    assert partner_asks(cast, prod).status_code == 302
    with system_access("tests: read the request"):
        req = DisclosureRequest.objects.get()
    assert req.marking.text == "CUI//REL TO USA, JPN"
    officer = client_for(cast["us.fdo"])
    ctx = officer.get(decide_url(req)).context["ctx"]
    assert [c.portion.pk for c in ctx.portions] == [portions[1].pk, portions[2].pk]
    assert any("FED ONLY" in b and "rule 30" in b for b in ctx.blockers)
    response = post_decision(officer, req, outcome="deny", reason="FED ONLY stays.")
    assert response.status_code == 302 and reload(req).status == "denied"


def test_a_liaison_officers_home_page_offers_to_ask_for_more_of_a_product(cast):
    home = client_for(cast["jpn.liaison"]).get("/")
    assert home.status_code == 200
    assert reverse("intel:disclosure-request-create").encode() in home.content
    assert (
        client_for(cast["jpn.liaison"]).get(reverse("intel:disclosure-request-create")).status_code
        == 200
    )
