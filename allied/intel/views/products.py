"""Intelligence product pages: list, read, write and export, and the authoring form's live checks.

Every page reads through the restricted base: a product the viewer may not see (its metadata, or
every one of its portions) answers 404 exactly like a missing one. What a product page shows of
the portions is decided once, by ``allied.intel.products.reading.read_products``, for pages, API and
exports alike.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.generic import DetailView, ListView

from allied.core import audit, vocabulary
from allied.core.access import access_required
from allied.core.edit import (
    explained_on,
    not_found,
    saved,
    status_of,
    visible,
    visible_or_404,
)
from allied.core.models import principal_for
from allied.core.restricted import RestrictedMixin, restricted_view, show, shown, viewer_of
from allied.intel.forms.products import PORTION_PREFIX, ProductAuthoring
from allied.intel.models import Originator, Portion, Product
from allied.intel.products.authoring import (
    AUTHORS,
    TypedMark,
    check_portion_mark,
    display_places,
    fgi_problem,
    save_product,
    typed_marks,
)
from allied.intel.products.reading import (
    EXPORT_FORMATS,
    category_label,
    export_product,
    originator_label,
    read_product,
    read_products,
    render_export,
    shown_authority,
)
from allied.intel.products.release import Panel, release_panel
from allied.markings import Level
from allied.markings.authority import authority_lines

MARK_FIELD = re.compile(rf"^{PORTION_PREFIX}-\d{{1,3}}-mark$")


# --- reading ------------------------------------------------------------------------------------


class ProductList(RestrictedMixin, ListView):
    """Products the viewer may see: their metadata and the banner of what it would be shown."""

    model = Product
    paginate_by = 25
    template_name = "intel/products/product_list.html"

    def get_queryset(self) -> Any:
        return (
            self.restricted_queryset()
            .with_visible_portions()
            .select_related("marking", "originator_nation")
            .order_by("-created", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        products = list(context["object_list"])
        readings = read_products(products, viewer_of(self.request))
        context["rows"] = [
            {
                "product": product,
                "reading": readings[product.pk],
                "originator": originator_label(product),
                "category": category_label(product.category),
            }
            for product in products
            if product.pk in readings
        ]
        context["is_author"] = _is_author(self.request)
        return context


class ProductDetail(RestrictedMixin, DetailView):
    """One product as this viewer may read it (``read_products``), numbered without gaps."""

    model = Product
    template_name = "intel/products/product_detail.html"

    def get_queryset(self) -> Any:
        return (
            self.restricted_queryset()
            .with_visible_portions()
            .select_related("marking", "originator_nation")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        product: Product = context["object"]
        reading = read_product(product, viewer_of(self.request))
        if reading is None:  # its last visible portion went between the two queries
            not_found()
        show(self.request, reading.portions)
        authority = shown_authority(product, reading.banner)
        context.update(
            reading=reading,
            authority=[] if authority is None else authority_lines(authority),
            originator=originator_label(product),
            category=category_label(product.category),
            can_edit=_may_edit(self.request, product),
        )
        return context


def readable_products(request: HttpRequest) -> QuerySet[Product]:
    """The products this viewer may read (their metadata and at least one portion), with what
    their pages show of them: one the viewer may not see answers 404 as a missing one."""
    return (
        visible(request, Product)
        .with_visible_portions()
        .select_related("marking", "originator_nation")
    )


@restricted_view
def product_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Download what the viewer may export of the product (never DISPLAY ONLY), audited."""
    viewer = viewer_of(request)
    product = visible_or_404(readable_products(request), pk=pk)
    reading = read_product(product, viewer)
    if reading is None:
        not_found()
    export = export_product(reading, viewer)
    if export is None:
        show(request, [product])
        return render(
            request, "intel/products/export_refused.html", {"product": product}, status=409
        )
    fmt = "md" if request.GET.get("as") == "md" else "txt"
    today = timezone.localdate()
    body = render_export(export, fmt, who=_who(request), on=today)
    audit.record(
        "export",
        actor=request.user,
        obj=product,
        marking=export.banner.render("banner"),
        detail={
            "format": fmt,
            "portions": [portion.pk for portion in export.portions],
            "with_metadata": export.with_metadata,
        },
    )
    response = HttpResponse(body, content_type=f"{EXPORT_FORMATS[fmt]}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="product-{product.pk}.{fmt}"'
    return response


product_export.allied_model = Product


def _who(request: HttpRequest) -> str:
    principal = principal_for(request.user)
    return f"{request.user.get_username()} ({principal.nation_id})"


# --- writing ------------------------------------------------------------------------------------


def _is_author(request: HttpRequest) -> bool:
    return AUTHORS.allows(principal_for(request.user))


def _may_edit(request: HttpRequest, product: Product) -> bool:
    return _is_author(request) and product.author_id == request.user.pk


def _with_live_checks(authoring: ProductAuthoring) -> ProductAuthoring:
    """Point each portion mark at the live check (htmx); the form works the same without it."""
    url = reverse("intel:portion-check")
    for index, form in enumerate(authoring.formset.forms):
        form.fields["mark"].widget.attrs.update(
            {
                "hx-post": f"{url}?field={form.prefix}-mark",
                "hx-trigger": "input changed delay:300ms, blur",
                "hx-target": f"#mark-check-{index}",
                "hx-swap": "innerHTML",
                "aria-describedby": f"id_{form.prefix}-mark_helptext mark-check-{index}",
            }
        )
    return authoring


def _panel(authoring: ProductAuthoring, data: QueryDict | None) -> Panel:
    if data is not None:
        return release_panel(typed_marks(data), str(data.get("marking", "")))
    marks = [
        TypedMark(i + 1, row["section"], row["order"], check_portion_mark(row["mark"]))
        for i, row in enumerate(authoring.formset.initial or [])
    ]
    return release_panel(marks, str(authoring.form.initial.get("marking", "")))


def _render_form(
    request: HttpRequest,
    authoring: ProductAuthoring,
    *,
    product: Product | None = None,
    status: int = 200,
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    rows = []
    typed = shown(request)
    for index, form in enumerate(authoring.formset.forms):
        value = form["mark"].value() or ""
        check = check_portion_mark(str(value)) if value else None
        rows.append({"form": form, "index": index, "check": check})
        if check is not None and check.valid and check.marking is not None:
            # What the form shows back is marked as typed: the banner is their roll-up.
            typed.add(check.marking)
    if data is not None:
        # Any marking the form echoes back, in either form, joins the banner: a text the banner
        # field refuses (a portion mark, say) is still shown in the field.
        banner = vocabulary.check(str(data.get("marking", "") or "").strip())
        if banner.valid and banner.marking is not None:
            typed.add(banner.marking)
    context = {
        "authoring": authoring,
        "form": authoring.form,
        "formset": authoring.formset,
        "rows": rows,
        "panel": _panel(authoring, data),
        "product": product,
        "editing": authoring.editing,
    }
    return render(request, "intel/products/product_form.html", context, status=status)


def _more_rows(data: QueryDict) -> QueryDict:
    """The submitted form with one more blank portion row (works without JavaScript)."""
    more = data.copy()
    key = f"{PORTION_PREFIX}-TOTAL_FORMS"
    try:
        total = int(more.get(key, "0"))
    except ValueError:
        total = 0
    more[key] = str(min(total + 1, 200))
    return more


@restricted_view
@access_required(AUTHORS)
@require_http_methods(["GET", "POST"])
def product_create(request: HttpRequest) -> HttpResponse:
    """Write a product. Nothing is saved unless every mark is valid and readable by its author."""
    viewer = viewer_of(request)
    initial: dict[str, Any] = {}
    if not viewer.is_us:
        initial = {"originator": Originator.PARTNER, "originator_nation": viewer.nation}
    data = _posted(request)
    authoring = _with_live_checks(ProductAuthoring(data, viewer=viewer, initial=initial))
    status = _unsaved_status(authoring, data)
    if status is not None:
        return _render_form(request, authoring, status=status)
    with explained_on(authoring.form, what="a product"):
        product = save_product(
            authoring.product_draft(),
            authoring.portion_drafts(),
            author=request.user,
            viewer=viewer,
        )
    if not saved(authoring.form):
        return _render_form(request, authoring, status=status_of(authoring.form))
    messages.success(request, "Product saved.")
    return redirect("intel:product-detail", pk=product.pk)


def _posted(request: HttpRequest) -> QueryDict | None:
    """The submitted authoring form (None on a GET), with one more row when one was asked for."""
    data = request.POST if request.method == "POST" else None
    if data is not None and "add_portion" in data:
        data = _more_rows(data)
    return data


def _unsaved_status(authoring: ProductAuthoring, data: QueryDict | None) -> int | None:
    """None when the form was sent to be saved and is valid; else the status it is shown
    with: 200 when shown, checked or given another row, 400 when it is not valid."""
    if data is None:
        return 200
    valid = authoring.is_valid()
    if "check" in data or "add_portion" in data:
        return 200
    return None if valid else 400


def _edit_initial(product: Product, portions: list[Portion]) -> dict[str, Any]:
    """The edit form's fields as the product stands, for an editor who sees ``portions``."""
    initial = {
        "title": product.title,
        "originator": product.originator,
        "originator_agency": product.originator_agency,
        "originator_nation": product.originator_nation_id,
        "category": product.category,
        "topics": ", ".join(product.topics),
        "regions": ", ".join(product.regions),
        "marking": product.marking.text,
        "version": product.version,
    }
    # The authority block goes with a classified view only: an editor shown nothing classified
    # is not told that the rest is (``save_product`` keeps the block of what it was not shown).
    if max([product.marking.level, *(p.marking.level for p in portions)]) > Level.U:
        initial.update(
            classified_by=product.classified_by,
            derived_from=product.derived_from,
            classification_reason=product.classification_reason,
            declassify_on=product.declassify_on,
            declassify_event=product.declassify_event,
            declass_exemption=product.declass_exemption,
        )
    return initial


def _edit_rows(portions: list[Portion]) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """The portion rows of the edit form and the portion each row's key names.

    The form names portions by their place in this list, never by id: ids are global and their
    gaps could hint at rows the author may not see.
    """
    places = display_places(portions)
    in_order = sorted(portions, key=lambda p: places[p.pk])
    keys = {number: portion.pk for number, portion in enumerate(in_order, start=1)}
    rows = [
        {
            "key": number,
            "section": places[portion.pk][0],
            "order": places[portion.pk][1],
            "mark": portion.marking.portion(),
            "text": portion.text,
        }
        for number, portion in enumerate(in_order, start=1)
    ]
    return rows, keys


@restricted_view
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a product its author wrote. An edit from an earlier version is refused whole."""
    viewer = viewer_of(request)
    product = visible_or_404(readable_products(request), pk=pk)
    if not _may_edit(request, product):
        raise PermissionDenied("Only the author of a product may edit it.")
    portions = list(
        Portion.objects.visible_to(viewer).filter(product=product).select_related("marking")
    )
    show(request, [product, *portions])
    rows, keys = _edit_rows(portions)
    data = _posted(request)
    authoring = _with_live_checks(
        ProductAuthoring(
            data,
            viewer=viewer,
            editing=True,
            initial=_edit_initial(product, portions),
            portions=rows,
            keys=keys,
            decided_on=timezone.localdate(product.created),
        )
    )
    status = _unsaved_status(authoring, data)
    if status is not None:
        return _render_form(request, authoring, product=product, status=status)
    version = authoring.form.cleaned_data.get("version")
    with explained_on(authoring.form, what="a product"):
        save_product(
            authoring.product_draft(),
            authoring.portion_drafts(),
            author=request.user,
            viewer=viewer,
            product=product,
            expected_version=version if version is not None else -1,
            reason=authoring.change_note,
        )
    if not saved(authoring.form):
        return _render_form(request, authoring, product=product, status=status_of(authoring.form))
    messages.success(request, "Product updated.")
    return redirect("intel:product-detail", pk=product.pk)


product_edit.allied_model = Product


# --- live checks (typed markings only: nothing stored is read) ---------------------------------


def _submitted(request: HttpRequest) -> QueryDict:
    return request.POST if request.method == "POST" else request.GET


@restricted_view
@access_required(AUTHORS)
@require_http_methods(["GET", "POST"])
def portion_check(request: HttpRequest) -> HttpResponse:
    """One typed portion mark: valid with its canonical form, or every problem (rule and fix).

    Checks only the text it is given; it reads no stored row, so it can show nothing stored.
    """
    data = _submitted(request)
    field = request.GET.get("field", "")
    text = str(data.get(field, "") if MARK_FIELD.match(field) else data.get("mark", "")).strip()
    check = check_portion_mark(text) if text else None
    problems = list(check.problems) if check is not None else []
    if check is not None and check.valid and check.marking is not None:
        nation = str(data.get("originator_nation", "")).strip().upper()
        if data.get("originator") == Originator.PARTNER and re.fullmatch(r"[A-Z]{3}", nation):
            fgi = fgi_problem(check.marking, nation)
            if fgi:
                problems.append(fgi)
    return render(
        request,
        "intel/products/_mark_check.html",
        {"check": check, "text": text, "problems": problems},
    )


@restricted_view
@access_required(AUTHORS)
@require_http_methods(["GET", "POST"])
def release_check(request: HttpRequest) -> HttpResponse:
    """The banner and, for each key partner, what it would be given of the marks as typed.

    Reads only the submitted form (and the public registry): nothing stored is shown.
    """
    data = _submitted(request)
    panel = release_panel(typed_marks(data), str(data.get("marking", "")))
    return render(request, "intel/products/_release_panel.html", {"panel": panel})
