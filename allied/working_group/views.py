"""The working group's pages: the queue, partner priorities and request types, free-form
requests, the guidance log with its conflicts, the weekly brief, and each partner's status page.

The queue, priorities, types, guidance and brief are for the working group (U.S. members only, as
the role's reach requires); the status page is for everyone and shows each partner's own
requests; free-form requests may also be opened by a partner's liaison officer for its nation.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import InvalidPage
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from allied.core import audit
from allied.core.access import access_required, for_roles, role_required
from allied.core.edit import (
    claim_version,
    explained_on,
    posted,
    save_from_form,
    saved,
    status_of,
    visible_or_404,
)
from allied.core.models.principals import Role, principal_for
from allied.core.pagination import NextOnlyPage, page_number, page_of
from allied.core.queue import QueueItem, open_requests_page, show_items
from allied.core.restricted import mark_export, restricted_view, show, viewer_of
from allied.working_group import brief as brief_module
from allied.working_group import entries
from allied.working_group.forms import (
    FreeformRequestForm,
    FreeformStatusForm,
    GuidanceForm,
    PartnerPriorityForm,
    QueueFilterForm,
    RequestKindForm,
)
from allied.working_group.guidance import visible_conflicts, visible_overdue
from allied.working_group.models import (
    FreeformRequest,
    GuidanceStatement,
    PartnerPriority,
    RequestKind,
)
from allied.working_group.ranking import KIND_LABELS, Filters, build, weights_for

PAGE_SIZE = 50
# The status page shows one page of a partner's open requests (cut in SQL), oldest first.
STATUS_PAGE_SIZE = 50
GROUP = (Role.WORKING_GROUP, Role.ADMINISTRATOR)
#: The group's pages, and who may open a free-form request (a partner's liaison officer too):
#: declared on the views and checked before any handler runs (403 with the rule's reason).
MEMBERS = for_roles(*GROUP)
CREATORS = for_roles(*GROUP, Role.LIAISON_OFFICER)


# --- the queue ---------------------------------------------------------------------------------


@restricted_view
@role_required(*GROUP)
def queue(request: HttpRequest) -> HttpResponse:
    """Every open allied request the member may see, highest score first, with its parts."""
    form = QueueFilterForm(request.GET or None)
    filters, page_number = Filters(), 1
    if form.is_valid():
        data = form.cleaned_data
        filters = Filters(data["partner"], data["kind"], bool(data["escalated"]))
        page_number = data["page"] or 1
    day = timezone.localdate()
    page = build(
        viewer_of(request), day, filters, offset=(page_number - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    show_items(request, [r.item for r in page.rows])
    pages = max(1, -(-page.total // PAGE_SIZE))
    context = {
        "form": form,
        "page": page,
        "rows": page.rows,
        "first_rank": (page_number - 1) * PAGE_SIZE + 1,
        "page_number": page_number,
        "pages": pages,
        "kind_labels": KIND_LABELS,
        "today": day,
    }
    return render(request, "working_group/queue.html", context)


# --- the partner-facing status page -------------------------------------------------------------


@restricted_view
def status(request: HttpRequest) -> HttpResponse:
    """A partner's own requests, as far as they are releasable to the signed-in person.

    A partner's user always sees its own nation; a U.S. user may choose any partner. No score or
    priority is shown: how the group ranks partners is not for partners.
    """
    principal = principal_for(request.user)
    nation = principal.nation_id
    if nation == "USA":
        asked = str(request.GET.get("partner", "")).strip().upper()
        nation = asked if len(asked) == 3 and asked.isalpha() else ""
    day = timezone.localdate()
    items: list[QueueItem] = []
    try:
        number = page_number(request.GET.get("page") or 1)
    except InvalidPage:
        number = 1
    more = False
    if nation:
        # One page cut in SQL: a partner can have thousands of open requests, and building,
        # auditing and rendering all of them on every view is what made this page slow.
        items, more = open_requests_page(
            viewer_of(request), day, partner=nation, number=number, per_page=STATUS_PAGE_SIZE
        )
    page = NextOnlyPage(items + ([None] if more else []), number, STATUS_PAGE_SIZE)
    show_items(request, items)
    weights = weights_for(viewer_of(request), day)
    rows = [
        {
            "item": item,
            "kind": KIND_LABELS.get(item.kind, item.kind),
            "age": (day - item.opened).days,
            "due": item.target
            or date.fromordinal(
                item.opened.toordinal() + weights.target_days(item.kind, None, item.opened)
            ),
        }
        for item in items
    ]
    context = {
        "nation": nation,
        "rows": rows,
        "us": principal.nation_id == "USA",
        "today": day,
        "page_obj": page,
    }
    return render(request, "working_group/status.html", context)


# --- priorities and request types ---------------------------------------------------------------


@restricted_view
@role_required(*GROUP)
def priorities(request: HttpRequest) -> HttpResponse:
    """Partner weights, effective-dated: every recorded row and a form to record a new one."""
    viewer = viewer_of(request)
    form = PartnerPriorityForm(posted(request))
    if form.is_valid():
        data = form.cleaned_data
        row = PartnerPriority(
            nation=data["nation"],
            weight=data["weight"],
            effective_from=data["effective_from"],
            reason=data["reason"],
            set_by=request.user,
        )
        if save_from_form(request, form, row, what="a priority"):
            messages.success(request, f"Priority of {row.nation_id} recorded.")
            return redirect("wg:priorities")
    rows = show(
        request,
        PartnerPriority.objects.visible_to(viewer)
        .select_related("marking", "nation", "set_by")
        .order_by("nation_id", "-effective_from", "-pk"),
    )
    weights = weights_for(viewer, timezone.localdate())
    custom = set(RequestKind.objects.values_list("code", flat=True))
    context = {
        "form": form,
        "rows": rows,
        "in_force": sorted(weights.partners.items()),
        "kind_form": RequestKindForm(),
        "kinds": [
            (label, weights.target_days(code, None, timezone.localdate()),
             weights.kind_weight(code), code in custom)
            for code, label in KIND_LABELS.items()
        ],
    }  # fmt: skip
    return render(request, "working_group/priorities.html", context, status=status_of(form))


@restricted_view
@role_required(*GROUP)
def request_kind(request: HttpRequest) -> HttpResponse:
    """Set a request type's target and weight (POST only; the form is on the priorities page)."""
    if request.method != "POST":
        return redirect("wg:priorities")
    form = RequestKindForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
        return redirect("wg:priorities")
    data = form.cleaned_data
    with transaction.atomic():
        RequestKind.objects.update_or_create(
            code=data["code"],
            defaults={
                "label": KIND_LABELS[data["code"]],
                "target_days": data["target_days"],
                "weight": data["weight"],
            },
        )
        audit.record(
            "write",
            actor=request.user,
            object_type="working_group.requestkind",
            object_id=data["code"],
            detail={"target_days": data["target_days"], "weight": str(data["weight"])},
        )
    messages.success(request, f"{KIND_LABELS[data['code']]}: target and weight set.")
    return redirect("wg:priorities")


# --- free-form requests -------------------------------------------------------------------------


@restricted_view
def request_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    principal = principal_for(request.user)
    rows = FreeformRequest.objects.visible_to(viewer).select_related("marking", "partner")
    page = page_of(rows.order_by("-opened", "-pk"), request.GET.get("page"), PAGE_SIZE)
    context = {
        "page_obj": page,
        "rows": show(request, page.object_list),
        "can_create": CREATORS.allows(principal),
    }
    return render(request, "working_group/request_list.html", context)


@restricted_view
@access_required(CREATORS)
def request_create(request: HttpRequest) -> HttpResponse:
    """Open a liaison, training, exercise or other request. A partner's liaison officer opens
    requests for its own nation only."""
    principal = principal_for(request.user)
    foreign = principal.nation_id != "USA"
    group = not foreign and MEMBERS.allows(principal)
    form = FreeformRequestForm(posted(request), opened=timezone.localdate(), group=group)
    if foreign:
        form.fields["partner"].queryset = form.fields["partner"].queryset.filter(
            iso3=principal.nation_id
        )
        form.fields["marking"].initial = f"UNCLASSIFIED//REL TO USA, {principal.nation_id}"
    if form.is_valid():
        data = form.cleaned_data
        row = FreeformRequest(
            partner=data["partner"],
            kind=data["kind"],
            title=data["title"],
            description=data["description"],
            owner=data["owner"],
            opened=form.opened,
            target=data.get("target"),
            blockers=data["blockers"],
            flags=FreeformRequest.flags_text(data.get("flags", ())),
            created_by=request.user,
        )
        if save_from_form(request, form, row, what="a request"):
            messages.success(request, "Request opened.")
            return redirect("wg:request-detail", pk=row.pk)
    return render(
        request,
        "working_group/request_form.html",
        {"form": form, "foreign": foreign},
        status=status_of(form),
    )


@restricted_view
@access_required(writes=MEMBERS)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A free-form request; the working group updates its status and blockers here."""
    viewer = viewer_of(request)
    principal = principal_for(request.user)
    row = visible_or_404(
        FreeformRequest.objects.visible_to(viewer).select_related("marking", "partner"), pk=pk
    )
    show(request, [row])
    group = MEMBERS.allows(principal)
    form = FreeformStatusForm(
        posted(request),
        initial={"status": row.status, "blockers": row.blockers, "version": row.version},
    )
    if form.is_valid():
        with explained_on(form, what="a request"):
            _update_status(request, row, form.cleaned_data, viewer)
        if saved(form):
            messages.success(request, "Request updated.")
            return redirect("wg:request-detail", pk=row.pk)
    weights = weights_for(viewer, timezone.localdate())
    ranked = None
    if group and row.status in ("open", "in_progress"):
        from allied.working_group.queue import FREEFORM
        from allied.working_group.ranking import rank

        item = FREEFORM.items(viewer, timezone.localdate(), [row.pk]).get(row.pk)
        ranked = rank([item], weights, timezone.localdate())[0] if item else None
    context = {
        "row": row,
        "form": form,
        "group": group,
        "ranked": ranked,
        "stale": getattr(form, "allied_stale", None),
    }
    return render(request, "working_group/request_detail.html", context, status=status_of(form))


request_detail.allied_model = FreeformRequest


def _update_status(
    request: HttpRequest, row: FreeformRequest, data: dict[str, Any], viewer: Any
) -> None:
    """Compare-and-set on the version, so two members cannot overwrite each other: the request,
    its row in the queue table and the audit entry are written together, or nothing is
    (``StaleVersion`` when the request changed since the member opened it)."""
    with transaction.atomic():
        version = claim_version(
            FreeformRequest.objects.visible_to(viewer),
            row.pk,
            data["version"],
            what="request",
            status=data["status"],
            blockers=data["blockers"],
        )
        # An update sends no post_save: the queue table follows the request here.
        entries.sync(FreeformRequest, [row.pk])
        audit.record(
            "write",
            actor=request.user,
            obj=row,
            detail={"status": data["status"], "version": version},
        )


# --- guidance -----------------------------------------------------------------------------------


@restricted_view
@role_required(*GROUP)
def guidance(request: HttpRequest) -> HttpResponse:
    """The guidance log: statements and commitments to partners, newest first, and a form."""
    viewer = viewer_of(request)
    form = GuidanceForm(posted(request), initial={"said_on": timezone.localdate()})
    if form.is_valid():
        data = form.cleaned_data
        row = GuidanceStatement(
            partner=data["partner"],
            body=data["body"],
            speaker=data["speaker"],
            topic=data["topic"],
            position=data["position"],
            summary=data["summary"],
            said_on=data["said_on"],
            commitment_due=data["commitment_due"],
            recorded_by=request.user,
        )
        if save_from_form(request, form, row, what="a statement"):
            messages.success(request, "Statement recorded.")
            return redirect("wg:guidance")
    rows = GuidanceStatement.objects.visible_to(viewer).select_related("marking", "partner")
    partner = str(request.GET.get("partner", "")).strip().upper()[:3]
    if partner:
        rows = rows.filter(partner_id=partner)
    page = page_of(rows.order_by("-said_on", "-pk"), request.GET.get("page"), PAGE_SIZE)
    context = {"form": form, "page_obj": page, "rows": show(request, page.object_list)}
    return render(request, "working_group/guidance.html", context, status=status_of(form))


@restricted_view
@role_required(*GROUP)
def conflicts(request: HttpRequest) -> HttpResponse:
    """Conflicting statements and overdue commitments, among the statements the member may see."""
    day = timezone.localdate()
    context = {
        "conflicts": visible_conflicts(request, day),
        "overdue": visible_overdue(request, day),
        "today": day,
    }
    return render(request, "working_group/conflicts.html", context)


# --- the weekly brief ---------------------------------------------------------------------------


@restricted_view
@role_required(*GROUP)
def brief(request: HttpRequest) -> HttpResponse:
    """The weekly brief as a page; ``?format=pdf`` gives the same content as a PDF."""
    if request.GET.get("format") == "pdf":
        mark_export(request)  # a download: what it quotes is read as an export
    content = brief_module.compose(request, timezone.localdate())
    if request.GET.get("format") == "pdf":
        pdf = brief_module.render_pdf(content)
        # A download leaves the system: an export entry, beside the reads of what it quotes.
        audit.record(
            "export",
            actor=request.user,
            object_type="working_group.brief",
            object_id=content.day.isoformat(),
            marking=content.banner,
            detail={"format": "pdf", **content.quoted()},
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="allied-weekly-brief-{content.day.isoformat()}.pdf"'
        )
        return response
    return render(request, "working_group/brief.html", {"brief": content})
