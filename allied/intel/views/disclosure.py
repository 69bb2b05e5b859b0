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
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.generic import ListView

from allied.core.access import access_required, check, for_roles
from allied.core.edit import (
    StaleVersion,
    explained_on,
    not_found,
    save_from_form,
    saved,
    status_of,
    visible,
    visible_or_404,
)
from allied.core.models import Nation, Role, TrustTier, principal_for
from allied.core.restricted import RestrictedMixin, restricted_view, show, viewer_of
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

#: Disclosure officers open the queue, decide, and record ceilings and trust tiers.
OFFICERS = for_roles(Role.DISCLOSURE_OFFICER)


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


class DisclosureQueue(RestrictedMixin, ListView):
    """Requests waiting for a disclosure officer, oldest first (``?status=all`` for every one)."""

    model = DisclosureRequest
    paginate_by = 50
    template_name = "intel/disclosure/queue.html"
    allied_access = OFFICERS

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


class MyDisclosureRequests(RestrictedMixin, ListView):
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
        choices = pick.fields["product"].queryset
        show(request, choices.select_related("marking"))
        return render(request, "intel/disclosure/request_pick.html", {"form": pick})
    if not str(product_id).isdigit():
        not_found()
    products = Product.objects.visible_to(viewer).with_visible_portions()
    product = visible_or_404(products.select_related("marking"), pk=int(product_id))
    show(request, [product])
    form: DisclosureRequestForm | PartnerRequestForm
    if viewer.is_us:
        form = DisclosureRequestForm(viewer, product, request.POST or None)
        portions_field = form.fields["portions"]
        show(request, portions_field.queryset)
    else:
        form = PartnerRequestForm(viewer, product, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with explained_on(form, what="a request"):
            made = _ask(request, form, product, data)
        if saved(form):
            messages.success(request, "Request sent to the disclosure officers.")
            return redirect("intel:disclosure-request-detail", pk=made.pk)
    context = {"form": form, "product": product, "partner_asks": not viewer.is_us}
    return render(request, "intel/disclosure/request_form.html", context, status=status_of(form))


def _ask(request: HttpRequest, form: Any, product: Product, data: dict[str, Any]) -> Any:
    """Make the request; a rule it breaks goes on ``form`` (and None is returned)."""
    try:
        return disclosure.create_request(
            user=request.user,
            viewer=viewer_of(request),
            product=product,
            portions=list(data.get("portions") or ()),
            partner=data.get("partner"),
            purpose=data["purpose"],
        )
    except disclosure.Refused as refused:
        _add_errors(form, refused.errors)
        return None


def _add_errors(form: Any, errors: dict[str, list[str]]) -> None:
    for name, problems in errors.items():
        for problem in problems:
            form.add_error(None if name == "__all__" or name not in form.fields else name, problem)


# --- one request -------------------------------------------------------------------------------


def readable_requests(request: HttpRequest) -> QuerySet[DisclosureRequest]:
    """The requests this viewer may see, with what their pages show of them."""
    return visible(request, DisclosureRequest).select_related("marking", "partner", "requested_by")


@restricted_view
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A request, its portions and its decisions, as far as each is visible to the viewer."""
    req = visible_or_404(readable_requests(request), pk=pk)
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
        "may_decide": OFFICERS.allows(principal_for(request.user)),
    }
    show(request, [req])
    return render(request, "intel/disclosure/request_detail.html", context)


request_detail.allied_model = DisclosureRequest


@restricted_view
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The officer's decision page: ceiling, trust tier, what approval would do, and the form."""
    req = visible_or_404(readable_requests(request), pk=pk)
    # The request first, then the role: only people who may see the request are told 403.
    check(request, OFFICERS)
    form = DecisionForm(request.POST or None)
    conflict: StaleVersion | None = None
    if request.method == "POST" and form.is_valid():
        try:
            made = _record_decision(request, req, form)
        except StaleVersion as stale:
            conflict = stale
        else:
            if made is not None:
                messages.success(
                    request, f"Decision {made.number} recorded: {made.get_outcome_display()}."
                )
                return redirect("intel:disclosure-request-detail", pk=req.pk)
    return _decision_page(request, pk, form, conflict)


def _record_decision(
    request: HttpRequest, req: DisclosureRequest, form: DecisionForm
) -> DisclosureDecision | None:
    """Record the officer's decision; a rule it breaks goes on ``form`` (and None is returned)."""
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
        return disclosure.decide_request(
            req.pk, user=request.user, viewer=viewer_of(request), given=given
        )
    except disclosure.Refused as refused:
        _add_errors(form, refused.errors)
        return None


def _decision_page(
    request: HttpRequest, pk: int, form: DecisionForm, conflict: StaleVersion | None
) -> HttpResponse:
    """The decision page as the request stands now: 409 after a conflict, 400 after a refused
    decision, 200 when first shown."""
    req = visible_or_404(readable_requests(request), pk=pk)  # re-read: a conflict means it changed
    ctx = disclosure.decision_context(req, viewer_of(request))
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
        "conflict": None if conflict is None else str(conflict),
        "category_label": None if ctx.category is None else CATEGORY_LABELS[ctx.category],
    }
    status = 409 if conflict is not None else 400 if request.method == "POST" else 200
    return render(request, "intel/disclosure/decide.html", context, status=status)


decide.allied_model = DisclosureRequest


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
                partner=str(req.partner_id),
                officer=None if decision is None else decision.decided_by.get_username(),
                requested_at=req.requested_at,
                decided_at=None if decision is None else decision.decided_at,
            )
        )
    return timings


@restricted_view
@access_required(for_roles(Role.DISCLOSURE_OFFICER, Role.WORKING_GROUP))
def stats(request: HttpRequest) -> HttpResponse:
    """Median and 90th percentile time to decision, by partner and by officer.

    For disclosure officers and the working group; the numbers cover only the requests (and
    decisions) the viewer may see.
    """
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


class CeilingList(RestrictedMixin, ListView):
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
        context["may_record"] = OFFICERS.allows(principal)
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
@access_required(OFFICERS)
def ceiling_create(request: HttpRequest) -> HttpResponse:
    """Record a partner's ceiling in one category from a date (disclosure officers)."""
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
        if save_from_form(request, form, row, what="an assessment"):
            messages.success(
                request,
                f"Ceiling recorded: {row.nation_id}, category {row.category}, "
                f"{Level(row.level).title} from {row.effective_from:%Y-%m-%d}.",
            )
            return redirect("intel:ceiling-list")
    return render(
        request,
        "intel/disclosure/assessment_form.html",
        {"form": form, "heading": "Record a disclosure ceiling"},
        status=status_of(form),
    )


@restricted_view
@access_required(OFFICERS)
def trust_tier_set(request: HttpRequest) -> HttpResponse:
    """Set a partner's trust tier from a date (disclosure officers); rising tiers raise ceilings."""
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
        if save_from_form(request, form, row, what="an assessment"):
            messages.success(
                request,
                f"Trust tier {row.tier} set for {nation.iso3} from {row.effective_from:%Y-%m-%d}.",
            )
            return redirect("intel:ceiling-list")
    return render(
        request,
        "intel/disclosure/assessment_form.html",
        {"form": form, "heading": "Set a partner's trust tier"},
        status=status_of(form),
    )
