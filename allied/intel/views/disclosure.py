"""Foreign-disclosure pages: ask for a release, the officer's queue and decision, cycle times,
ceilings and trust tiers.

Every page reads through the restricted base: a request the viewer may not see answers 404 like a
missing one, before any role is checked; role checks (a disclosure officer decides) come after,
and answer 403 only to people who could see the request anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.generic import ListView

from allied.core.models import Nation, NotVisibleAfterWrite, Role, TrustTier, principal_for
from allied.core.restricted import (
    RestrictedMixin,
    not_found,
    require_role,
    restricted_save,
    restricted_view,
    show,
    viewer_of,
)
from allied.intel import disclosure
from allied.intel.forms.disclosure import (
    CeilingForm,
    DecisionForm,
    DisclosureRequestForm,
    PartnerRequestForm,
    ProductPickForm,
    TrustTierForm,
)
from allied.intel.models import (
    DisclosureCeiling,
    DisclosureDecision,
    DisclosureRequest,
    Product,
    RequestScope,
)
from allied.intel.rules.cycle_times import Summary, Timing, cycle_times, format_duration
from allied.intel.rules.disclosure import CATEGORY_LABELS, Category, effective_ceiling
from allied.markings import Level


def _with_products(request: HttpRequest, rows: Any) -> None:
    """Give each request on a page its product as ``visible_product``, if the viewer may see it
    (recorded as shown); None otherwise, and the page says the product is not visible."""
    ids = {r.product_id for r in rows}
    found: dict[int, Product] = {}
    if ids:
        products = Product.objects.visible_to(viewer_of(request)).filter(pk__in=ids)
        found = {p.pk: p for p in show(request, products.select_related("marking"))}
    for row in rows:
        row.visible_product = found.get(row.product_id)


# --- the queue and the asker's own requests ---------------------------------------------------


class DisclosureQueue(RestrictedMixin, ListView):  # type: ignore[type-arg]
    """Requests waiting for a disclosure officer, oldest first (``?status=all`` for every one)."""

    model = DisclosureRequest
    paginate_by = 50
    template_name = "intel/disclosure/queue.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            require_role(request, Role.DISCLOSURE_OFFICER)
        return super().dispatch(request, *args, **kwargs)

    @property
    def every_status(self) -> bool:
        return self.request.GET.get("status") == "all"

    def get_queryset(self) -> Any:
        rows = self.restricted_queryset().select_related("marking", "partner", "requested_by")
        if self.every_status:
            return rows.order_by("-requested_at", "-pk")
        return rows.filter(status__in=disclosure.OPEN_STATUSES).order_by("requested_at", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = context["object_list"]
        _with_products(self.request, rows)
        context["every_status"] = self.every_status
        context["now"] = timezone.now()
        return context


class MyDisclosureRequests(RestrictedMixin, ListView):  # type: ignore[type-arg]
    """The requests the signed-in person made, newest first, with their status."""

    model = DisclosureRequest
    paginate_by = 50
    template_name = "intel/disclosure/request_list.html"

    def get_queryset(self) -> Any:
        return (
            self.restricted_queryset()
            .filter(requested_by=self.request.user)
            .select_related("marking", "partner")
            .order_by("-requested_at", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = context["object_list"]
        _with_products(self.request, rows)
        return context


# --- asking ------------------------------------------------------------------------------------


@restricted_view
def request_create(request: HttpRequest) -> HttpResponse:
    """Ask that a product, or chosen portions of it, be released to a partner.

    Step one picks a product (``?product=<id>``, as the product page links it). Step two: a U.S.
    user chooses the portions, the partner and the purpose; a partner gives only its purpose,
    asking that more of a product it reads in part be released to it, and the form shows
    nothing of the rest. A product the asker may not see is a 404.
    """
    viewer = viewer_of(request)
    product_id = request.GET.get("product") or request.POST.get("product")
    if not product_id:
        pick = ProductPickForm(viewer)
        choices = pick.fields["product"].queryset  # type: ignore[attr-defined]
        show(request, choices.select_related("marking"))
        return render(request, "intel/disclosure/request_pick.html", {"form": pick})
    if not str(product_id).isdigit():
        not_found()
    products = Product.objects.visible_to(viewer).with_visible_portions()
    product = products.select_related("marking").filter(pk=int(product_id)).first()
    if product is None:
        not_found()
    show(request, [product])
    form: DisclosureRequestForm | PartnerRequestForm
    if viewer.is_us:
        form = DisclosureRequestForm(viewer, product, request.POST or None)
        portions_field = form.fields["portions"]
        show(request, portions_field.queryset)  # type: ignore[attr-defined]
    else:
        form = PartnerRequestForm(viewer, product, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = disclosure.create_request(
                user=request.user,
                viewer=viewer,
                product=product,
                portions=list(data.get("portions") or ()),
                partner=data.get("partner"),
                purpose=data["purpose"],
            )
        except disclosure.Refused as refused:
            _add_errors(form, refused.errors)
        except NotVisibleAfterWrite:
            form.add_error(None, "You could not read this request back. Nothing was saved.")
        else:
            messages.success(request, "Request sent to the disclosure officers.")
            return redirect("intel:disclosure-request-detail", pk=made.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "product": product, "partner_asks": not viewer.is_us}
    return render(request, "intel/disclosure/request_form.html", context, status=status)


def _add_errors(form: Any, errors: dict[str, list[str]]) -> None:
    for name, problems in errors.items():
        for problem in problems:
            form.add_error(None if name == "__all__" or name not in form.fields else name, problem)


# --- one request -------------------------------------------------------------------------------


def _visible_request(request: HttpRequest, pk: int) -> DisclosureRequest:
    found = (
        DisclosureRequest.objects.visible_to(viewer_of(request))
        .select_related("marking", "partner", "requested_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        not_found()
    return found  # type: ignore[no-any-return]


@restricted_view
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A request, its portions and its decisions, as far as each is visible to the viewer."""
    req = _visible_request(request, pk)
    viewer = viewer_of(request)
    product = (
        Product.objects.visible_to(viewer).select_related("marking").filter(pk=req.product_id)
    ).first()
    portions = (
        disclosure.requested_portions(req, viewer, timezone.localdate())
        .select_related("marking")
        .order_by("section", "order", "pk")
    )
    if req.scope == RequestScope.REST:
        if viewer.is_us:
            # What the partner reads already is not part of its request.
            day = timezone.localdate()
            portions = [
                p
                for p in portions
                if not disclosure.already_releasable(p.marking.marking, str(req.partner_id), day)
            ]
        else:
            # The partner reads its part on the product's page; of the rest it learns nothing.
            portions = portions.none()
    decisions = (
        DisclosureDecision.objects.visible_to(viewer)
        .filter(request=req)
        .select_related("marking", "decided_by")
        .order_by("number")
    )
    context = {
        "req": req,
        "product": show(request, [product])[0] if product is not None else None,
        "portions": show(request, portions),
        "decisions": show(request, decisions),
        "may_decide": principal_for(request.user).has_role(Role.DISCLOSURE_OFFICER),
    }
    show(request, [req])
    return render(request, "intel/disclosure/request_detail.html", context)


request_detail.allied_model = DisclosureRequest  # type: ignore[attr-defined]


@restricted_view
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The officer's decision page: ceiling, trust tier, what approval would do, and the form."""
    req = _visible_request(request, pk)
    require_role(request, Role.DISCLOSURE_OFFICER)
    viewer = viewer_of(request)
    conflict: str | None = None
    status = 200
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        given = disclosure.DecisionInput(
            outcome=data["outcome"],
            seen_number=data["seen_number"],
            reason=data["reason"],
            sanitised_text=data["sanitised_text"],
            sanitised_marking=data["sanitised_marking"],
            release_metadata=data["release_metadata"],
            seen_product_version=data["seen_product_version"],
        )
        try:
            made = disclosure.decide_request(req.pk, user=request.user, viewer=viewer, given=given)
        except DisclosureRequest.DoesNotExist:
            not_found()
        except disclosure.Conflict as exc:
            conflict = str(exc)
            status = 409
        except disclosure.Refused as refused:
            _add_errors(form, refused.errors)
            status = 400
        else:
            messages.success(
                request, f"Decision {made.number} recorded: {made.get_outcome_display()}."
            )
            return redirect("intel:disclosure-request-detail", pk=req.pk)
    elif request.method == "POST":
        status = 400
    req = _visible_request(request, pk)  # re-read: a conflict means it changed
    ctx = disclosure.decision_context(req, viewer)
    fresh = {
        "seen_number": ctx.latest_number,
        "seen_product_version": None if ctx.product is None else ctx.product.version,
    }
    if conflict is not None:
        # Keep what the officer wrote, but against the state they must now read.
        form = DecisionForm(initial={**form.cleaned_data, **fresh})
    elif request.method != "POST":
        offer = ctx.metadata is not None and ctx.metadata.allowed and not ctx.metadata_releasable
        form = DecisionForm(initial={**fresh, "release_metadata": offer})
    show(request, ctx.shown)
    context = {
        "req": req,
        "ctx": ctx,
        "form": form,
        "conflict": conflict,
        "category_label": None if ctx.category is None else CATEGORY_LABELS[ctx.category],
    }
    return render(request, "intel/disclosure/decide.html", context, status=status)


decide.allied_model = DisclosureRequest  # type: ignore[attr-defined]


# --- cycle time --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsRow:
    key: str
    decided: int
    median: str
    p90: str
    waiting: int
    longest_wait: str


def _row(summary: Summary) -> StatsRow:
    return StatsRow(
        summary.key,
        summary.decided,
        format_duration(summary.median),
        format_duration(summary.p90),
        summary.waiting,
        format_duration(summary.longest_wait),
    )


def visible_timings(request: HttpRequest) -> list[Timing]:
    """One timing per request the viewer may see, decided by the latest decision it may see.

    Every row the numbers come from is recorded as shown: the page's banner is their roll-up.
    """
    viewer = viewer_of(request)
    requests = show(
        request,
        DisclosureRequest.objects.visible_to(viewer).select_related("marking").order_by("pk"),
    )
    latest: dict[int, DisclosureDecision] = {}
    # select_related restricts the joined request too: no decision on a hidden request counts.
    decisions = (
        DisclosureDecision.objects.visible_to(viewer)
        .select_related("marking", "decided_by", "request")
        .order_by("request_id", "number")
    )
    for decision in show(request, decisions):
        latest[decision.request_id] = decision  # the highest number comes last
    timings = []
    for req in requests:
        decision = latest.get(req.pk)
        timings.append(
            Timing(
                partner=str(req.partner_id),  # type: ignore[attr-defined]
                officer=None if decision is None else decision.decided_by.get_username(),
                requested_at=req.requested_at,  # type: ignore[attr-defined]
                decided_at=None if decision is None else decision.decided_at,
            )
        )
    return timings


@restricted_view
def stats(request: HttpRequest) -> HttpResponse:
    """Median and 90th percentile time to decision, by partner and by officer.

    For disclosure officers and the working group; the numbers cover only the requests (and
    decisions) the viewer may see.
    """
    require_role(request, Role.DISCLOSURE_OFFICER, Role.WORKING_GROUP)
    result = cycle_times(visible_timings(request), timezone.now())
    context = {
        "overall": _row(result.overall),
        "by_partner": [_row(s) for s in result.by_partner],
        "by_officer": [_row(s) for s in result.by_officer],
        "result": result,
    }
    return render(request, "intel/disclosure/stats.html", context)


# --- ceilings and trust tiers ------------------------------------------------------------------


@dataclass(frozen=True)
class CeilingCell:
    category: Category
    recorded: Level | None
    effective: Level


@dataclass(frozen=True)
class PartnerCeilings:
    nation: str
    tier: TrustTier | None
    cells: list[CeilingCell]


class CeilingList(RestrictedMixin, ListView):  # type: ignore[type-arg]
    """Partners' disclosure ceilings: the matrix in force today and every recorded row."""

    model = DisclosureCeiling
    paginate_by = 100
    template_name = "intel/disclosure/ceiling_list.html"

    def get_queryset(self) -> Any:
        return (
            self.restricted_queryset()
            .select_related("marking", "nation", "set_by")
            .order_by("nation_id", "category", "-effective_from", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for row in context["object_list"]:
            row.level_title = Level(row.level).title
        day = timezone.localdate()
        context["matrix"] = self.in_force(day)
        context["today"] = day
        context["categories"] = list(Category)
        principal = principal_for(self.request.user)
        context["may_record"] = principal.has_role(Role.DISCLOSURE_OFFICER)
        return context

    def in_force(self, day: date) -> list[PartnerCeilings]:
        viewer = viewer_of(self.request)
        recorded: dict[tuple[str, int], DisclosureCeiling] = {}
        rows = (
            DisclosureCeiling.objects.visible_to(viewer)
            .filter(effective_from__lte=day)
            .select_related("marking")
            .order_by("nation_id", "category", "-effective_from", "-pk")
        )
        for row in rows:
            recorded.setdefault((row.nation_id, row.category), row)
        tiers = {
            t.nation_id: t
            for t in TrustTier.objects.visible_to(viewer).in_force_on(day).select_related("marking")
        }
        show(self.request, [*recorded.values(), *tiers.values()])
        nations = sorted({n for n, _ in recorded} | set(tiers))
        matrix = []
        for nation in nations:
            tier = tiers.get(nation)
            cells = []
            for category in Category:
                row = recorded.get((nation, int(category)))
                level = None if row is None else Level(row.level)
                cells.append(
                    CeilingCell(
                        category,
                        level,
                        effective_ceiling(level, None if tier is None else tier.tier),
                    )
                )
            matrix.append(PartnerCeilings(nation, tier, cells))
        return matrix


@restricted_view
def ceiling_create(request: HttpRequest) -> HttpResponse:
    """Record a partner's ceiling in one category from a date (disclosure officers)."""
    require_role(request, Role.DISCLOSURE_OFFICER)
    form = CeilingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        row = DisclosureCeiling(
            nation=data["nation"],
            category=data["category"],
            level=data["level"],
            effective_from=data["effective_from"],
            reason=data["reason"].strip(),
            set_by=request.user,
        )
        row.set_marking(data["marking"])
        if _saved(request, form, row):
            messages.success(
                request,
                f"Ceiling recorded: {row.nation_id}, category {row.category}, "
                f"{Level(row.level).title} from {row.effective_from:%Y-%m-%d}.",
            )
            return redirect("intel:ceiling-list")
    status = 400 if form.errors else 200
    return render(
        request,
        "intel/disclosure/assessment_form.html",
        {"form": form, "heading": "Record a disclosure ceiling"},
        status=status,
    )


@restricted_view
def trust_tier_set(request: HttpRequest) -> HttpResponse:
    """Set a partner's trust tier from a date (disclosure officers); rising tiers raise ceilings."""
    require_role(request, Role.DISCLOSURE_OFFICER)
    form = TrustTierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        nation: Nation = data["nation"]
        row = TrustTier(
            nation=nation,
            tier=data["tier"],
            effective_from=data["effective_from"],
            reason=data["reason"].strip(),
            set_by=request.user,
        )
        row.set_marking(data["marking"])
        if _saved(request, form, row):
            messages.success(
                request,
                f"Trust tier {row.tier} set for {nation.iso3} from {row.effective_from:%Y-%m-%d}.",
            )
            return redirect("intel:ceiling-list")
    status = 400 if form.errors else 200
    return render(
        request,
        "intel/disclosure/assessment_form.html",
        {"form": form, "heading": "Set a partner's trust tier"},
        status=status,
    )


def _saved(request: HttpRequest, form: Any, row: Any) -> bool:
    """Save an assessment for its author (audited), or say on the form why it was refused."""
    try:
        with transaction.atomic():
            restricted_save(request, row)
    except NotVisibleAfterWrite:
        form.add_error(
            "marking",
            "You could not read an assessment with this marking, so you cannot record one. "
            "Nothing was saved.",
        )
        return False
    return True
