"""A TAXII 2.1 server that serves each principal only what it may see.

Discovery at ``/taxii2/``, one API root at ``/taxii2/api/`` with two collections:

* ``products``: Allied's intelligence products as STIX (a report and its notes per product),
  read-only, built for the requesting principal from the portions it may see;
* ``imports``: STIX objects imported into Allied (writable by U.S. authors and administrators),
  each served only to principals its marking admits.

Authentication: an API token (``Authorization: Token ...``) or HTTP Basic, as TAXII clients send,
or a signed-in session; a request that carries an ``Authorization`` header is authenticated by it
alone. A write on a session must pass Django's CSRF check, as DRF's ``SessionAuthentication``
requires on the REST API: a page on another site cannot make a signed-in browser import objects.
Each object's own URL and its ``versions/`` answer as TAXII 2.1 says. Every TAXII answer is an
export (``allied.core.restricted.export_view``): DISPLAY ONLY content is never served.
Pagination follows TAXII 2.1: ``limit``, ``added_after`` and an opaque ``next``; the
``X-TAXII-Date-Added-First`` and ``-Last`` headers are set. Objects a principal may not see are
not counted, paged or hinted at.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied

from allied.core import audit
from allied.core.models.principals import Role, principal_for
from allied.core.restricted import export_view, restricted_view, show, viewer_of
from allied.intel import stix
from allied.intel.models import Portion, Product, StixObject
from allied.intel.products.reading import read_products

MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
MAX_PAGE = 1000
DEFAULT_PAGE = 100
COLLECTIONS = {
    "products": {
        "id": "5c0c2a44-97a2-4bd0-9f1e-6f2f4f0a1e01",
        "title": "Allied intelligence products",
        "description": "Products as STIX reports and notes, as releasable to you.",
        "can_read": True,
        "can_write": False,
    },
    "imports": {
        "id": "5c0c2a44-97a2-4bd0-9f1e-6f2f4f0a1e02",
        "title": "Imported STIX",
        "description": "STIX objects imported from partners' and community platforms.",
        "can_read": True,
        "can_write": True,
    },
}
BY_ID = {c["id"]: name for name, c in COLLECTIONS.items()}


def taxii(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse(data, status=status, content_type=MEDIA_TYPE, safe=False)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error(status: int, title: str, description: str = "") -> JsonResponse:
    return taxii({"title": title, "description": description, "http_status": str(status)}, status)


def _authenticated(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Token, Basic or session authentication; 401 with a TAXII error otherwise.

    Credentials in the ``Authorization`` header come first (a browser does not add them to a
    request another site makes). A session write passes the CSRF check first (403 otherwise).
    """

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.META.get("HTTP_AUTHORIZATION") or not request.user.is_authenticated:
            user = _from_header(request)
            if user is None:
                response = error(401, "Authentication required")
                response["WWW-Authenticate"] = 'Basic realm="Allied TAXII"'
                return response
            request.user = user
        else:
            try:
                SessionAuthentication().enforce_csrf(request)
            except PermissionDenied as refused:
                return error(403, "A write with a session needs the CSRF token", str(refused))
        try:
            principal_for(request.user)
        except Exception:
            return error(403, "This account has no principal, so it may see nothing")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    # Not behind the sign-in redirect: a TAXII client gets a 401 it can answer with credentials.
    wrapped.login_required = False
    wrapped.authenticates_itself = True
    # Exempt from the middleware's check, which would refuse token and Basic writes too: the
    # check runs above, for sessions only.
    wrapped.checks_csrf_itself = True
    # Every TAXII response is an export: no DISPLAY ONLY, in either collection.
    return export_view(restricted_view(csrf_exempt(wrapped)))


def _from_header(request: HttpRequest) -> Any:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    kind, _, value = header.partition(" ")
    if kind.lower() == "token" and value:
        from rest_framework.authtoken.models import Token

        token = Token.objects.select_related("user").filter(key=value.strip()).first()
        return token.user if token and token.user.is_active else None
    if kind.lower() == "basic" and value:
        try:
            username, _, password = base64.b64decode(value).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return authenticate(request, username=username, password=password)
    return None


@_authenticated
def discovery(request: HttpRequest) -> HttpResponse:
    root = request.build_absolute_uri("/taxii2/api/")
    return taxii({"title": "Allied TAXII", "default": root, "api_roots": [root]})


@_authenticated
def api_root(request: HttpRequest) -> HttpResponse:
    return taxii(
        {
            "title": "Allied",
            "versions": [MEDIA_TYPE],
            "max_content_length": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        }
    )


def _collection_info(name: str, request: HttpRequest) -> dict[str, Any]:
    info = dict(COLLECTIONS[name])
    info["media_types"] = [STIX_MEDIA_TYPE]
    if name == "imports":
        info["can_write"] = _may_import(request)
    return info


def _may_import(request: HttpRequest) -> bool:
    principal = principal_for(request.user)
    return principal.is_us and (
        principal.has_role(Role.AUTHOR) or principal.has_role(Role.ADMINISTRATOR)
    )


@_authenticated
def collections(request: HttpRequest) -> HttpResponse:
    return taxii({"collections": [_collection_info(n, request) for n in COLLECTIONS]})


@_authenticated
def collection(request: HttpRequest, collection_id: str) -> HttpResponse:
    name = BY_ID.get(collection_id)
    if name is None:
        return error(404, "Collection not found")
    return taxii(_collection_info(name, request))


def _page_args(request: HttpRequest) -> tuple[int, datetime | None, str | None] | HttpResponse:
    try:
        limit = min(MAX_PAGE, max(1, int(request.GET.get("limit", DEFAULT_PAGE))))
    except ValueError:
        return error(400, "limit must be a whole number")
    after = None
    if request.GET.get("added_after"):
        try:
            after = datetime.fromisoformat(request.GET["added_after"].replace("Z", "+00:00"))
        except ValueError:
            return error(400, "added_after must be a STIX timestamp")
    return limit, after, request.GET.get("next")


def _decode_next(token: str | None) -> tuple[str, int] | None:
    if not token:
        return None
    try:
        when, _, pk = base64.urlsafe_b64decode(token.encode()).decode().partition("|")
        return when, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def _encode_next(when: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{when.isoformat()}|{pk}".encode()).decode()


@dataclass(frozen=True)
class FeedRow:
    """One stored object as a feed page needs it: its JSON text is passed through unparsed."""

    pk: int
    stix_id: str
    modified: datetime
    date_added: datetime
    marking: str
    json: str


@dataclass(frozen=True)
class FeedObject:
    """One stored object of an objects page: what it serves and what its audit entry lists."""

    pk: int
    stix_id: str
    marking: str
    json: str


def _as_datetime(text: str) -> datetime:
    """A date read as text from the database (UTC; SQLite's text carries no offset)."""
    value = parse_datetime(text)
    if value is None:
        raise ValueError(f"not a date: {text!r}")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _imports_rows(
    request: HttpRequest, after: datetime | None, next_token: str | None
) -> QuerySet[StixObject]:
    """The imports this principal may see, added after ``after`` and the cursor, in order."""
    rows = StixObject.objects.visible_to(viewer_of(request)).filter(collection="imports")
    if after is not None:
        rows = rows.filter(date_added__gt=after)
    cursor = _decode_next(next_token)
    if cursor is not None:
        # (collection, date_added, id) after the cursor as one row comparison: the scan of the
        # index on these columns starts at the cursor, in page order. Objects added together
        # share their date added; written as date_added >= x and not (date_added = x and
        # id <= y), the database scanned the index on date_added alone, read every object of
        # the cursor's envelope and sorted them, on every page.
        # The date as the backend stores it (SQLite compares text).
        when = StixObject._meta.get_field("date_added").get_db_prep_value(
            datetime.fromisoformat(cursor[0]), connection
        )
        table = _quote(StixObject._meta.db_table)
        columns = ", ".join(f"{table}.{_quote(c)}" for c in ("collection", "date_added", "id"))
        rows = rows.extra(
            where=[f"({columns}) > (%s, %s, %s)"], params=["imports", when, cursor[1]]
        )
    return rows.order_by("date_added", "pk")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _imports_page(
    request: HttpRequest, limit: int, after: datetime | None, next_token: str | None
) -> tuple[list[FeedRow], bool]:
    page = [
        FeedRow(*values)
        for values in _imports_rows(request, after, next_token).values_list(
            "pk", "stix_id", "modified", "date_added", "marking__text",
            Cast("body", output_field=TextField()),
        )[: limit + 1]
    ]  # fmt: skip
    return page[:limit], len(page) > limit


def _imports_objects_page(
    request: HttpRequest, limit: int, after: datetime | None, next_token: str | None
) -> tuple[list[FeedObject], bool, datetime | None, datetime | None]:
    """One objects page: its objects, whether more follow, and its first and last date added.

    Turning two timestamps per row into datetimes was most of the Python time of a page (the
    database driver's loader runs in Python under Django's time zone handling), and the page
    needs only the first and last: the date added is read as text and two of them are parsed.
    """
    found = list(
        _imports_rows(request, after, next_token).values_list(
            "pk", "stix_id", Cast("date_added", output_field=TextField()), "marking__text",
            Cast("body", output_field=TextField()),
        )[: limit + 1]
    )  # fmt: skip
    more = len(found) > limit
    found = found[:limit]
    if not found:
        return [], more, None, None
    page = [FeedObject(pk, stix_id, marking, text) for pk, stix_id, _, marking, text in found]
    return page, more, _as_datetime(found[0][2]), _as_datetime(found[-1][2])


def _envelope(more: bool, next_token: str | None, objects_json: list[str]) -> str:
    """A TAXII envelope around objects that are already JSON text."""
    head: dict[str, Any] = {"more": more}
    if next_token:
        head["next"] = next_token
    return json.dumps(head)[:-1] + ', "objects": [' + ", ".join(objects_json) + "]}"


def _products_page(
    request: HttpRequest, limit: int, after: datetime | None, next_token: str | None
) -> tuple[list[tuple[Product, list[Portion]]], bool]:
    viewer = viewer_of(request)
    products = Product.objects.visible_to(viewer).with_visible_portions()
    if after is not None:
        products = products.filter(updated__gt=after)
    cursor = _decode_next(next_token)
    if cursor is not None:
        when = datetime.fromisoformat(cursor[0])
        products = products.filter(updated__gte=when).exclude(updated=when, pk__lte=cursor[1])
    page = list(products.select_related("marking").order_by("updated", "pk")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    # The portions its page shows this viewer (its body or its tearline), less what it may not
    # export: the same version of the product as every other surface. A product left with none
    # stays in the page, empty, so that the cursor still moves past it.
    readings = read_products(page, viewer)
    return [(p, readings[p.pk].portions if p.pk in readings else []) for p in page], more


def _audit_feed(request: HttpRequest, rows: Sequence[FeedRow | FeedObject]) -> None:
    """One audit entry per feed page, listing every object under its marking."""
    if rows:
        audit.record_feed_read(
            request.user, "intel.stixobject", [(r.stix_id, r.marking) for r in rows]
        )


def _headers(first: datetime | None, last: datetime | None) -> dict[str, str]:
    if first is None or last is None:
        return {}
    return {
        "X-TAXII-Date-Added-First": stix.stix_time(first),
        "X-TAXII-Date-Added-Last": stix.stix_time(last),
    }


@_authenticated
def objects(request: HttpRequest, collection_id: str) -> HttpResponse:
    name = BY_ID.get(collection_id)
    if name is None:
        return error(404, "Collection not found")
    if request.method == "POST":
        return _add_objects(request, name)
    args = _page_args(request)
    if isinstance(args, HttpResponse):
        return args
    limit, after, next_token = args
    if name == "imports":
        page, more, first, last = _imports_objects_page(request, limit, after, next_token)
        _audit_feed(request, page)
        token = _encode_next(last, page[-1].pk) if more and page and last else None
        response = HttpResponse(
            _envelope(more, token, [r.json for r in page]), content_type=MEDIA_TYPE
        )
        for header, value in _headers(first, last).items():
            response[header] = value
        return response
    body: dict[str, Any]
    pairs, more = _products_page(request, limit, after, next_token)
    viewer = viewer_of(request)
    out: list[dict[str, Any]] = []
    for product, portions in pairs:
        if portions:
            show(request, [product, *portions])
            out.extend(stix.product_objects(product, portions, viewer))
    body = {"more": more, "objects": out}
    if more and pairs:
        body["next"] = _encode_next(pairs[-1][0].updated, pairs[-1][0].pk)
    first = pairs[0][0].updated if pairs else None
    last = pairs[-1][0].updated if pairs else None
    return taxii(body, headers=_headers(first, last))


@_authenticated
def manifest(request: HttpRequest, collection_id: str) -> HttpResponse:
    name = BY_ID.get(collection_id)
    if name is None:
        return error(404, "Collection not found")
    args = _page_args(request)
    if isinstance(args, HttpResponse):
        return args
    limit, after, next_token = args
    entries: list[dict[str, Any]] = []
    if name == "imports":
        rows, more = _imports_page(request, limit, after, next_token)
        _audit_feed(request, rows)
        entries = [
            {
                "id": r.stix_id,
                "date_added": stix.stix_time(r.date_added),
                "version": stix.stix_time(r.modified),
                "media_type": STIX_MEDIA_TYPE,
            }
            for r in rows
        ]
        last = (rows[-1].date_added, rows[-1].pk) if rows else None
    else:
        pairs, more = _products_page(request, limit, after, next_token)
        viewer = viewer_of(request)
        for product, portions in pairs:
            if portions:
                show(request, [product, *portions])
            for obj in stix.product_objects(product, portions, viewer):
                entries.append(
                    {
                        "id": obj["id"],
                        "date_added": stix.stix_time(product.updated),
                        "version": obj["modified"],
                        "media_type": STIX_MEDIA_TYPE,
                    }
                )
        last = (pairs[-1][0].updated, pairs[-1][0].pk) if pairs else None
    body: dict[str, Any] = {"more": more, "objects": entries}
    if more and last:
        body["next"] = _encode_next(*last)
    return taxii(body)


def _versions_of(request: HttpRequest, name: str, object_id: str) -> list[tuple[str, Any]]:
    """Every version of one object this principal may see, as (``modified``, object) pairs,
    each read recorded as shown: none when it is missing or hidden alike."""
    if name == "imports":
        rows = list(
            StixObject.objects.visible_to(viewer_of(request))
            .filter(collection="imports", stix_id=object_id)
            .order_by("modified")
        )
        show(request, rows)
        return [(stix.stix_time(row.modified), row.body) for row in rows]
    found = []
    pairs, _ = _products_page(request, MAX_PAGE, None, None)
    viewer = viewer_of(request)
    for product, portions in pairs:
        for obj in stix.product_objects(product, portions, viewer):
            if obj["id"] == object_id:
                show(request, [product, *portions])
                found.append((obj["modified"], obj))
    return found


@_authenticated
def object_detail(request: HttpRequest, collection_id: str, object_id: str) -> HttpResponse:
    name = BY_ID.get(collection_id)
    if name is None:
        return error(404, "Collection not found")
    found = [obj for _, obj in _versions_of(request, name, object_id)]
    if not found:
        return error(404, "Object not found")
    return taxii({"more": False, "objects": found})


@_authenticated
def object_versions(request: HttpRequest, collection_id: str, object_id: str) -> HttpResponse:
    """The versions (``modified``) of one object this principal may see, oldest first (an
    export like every TAXII answer: an object it may not see answers 404 like a missing one)."""
    name = BY_ID.get(collection_id)
    if name is None:
        return error(404, "Collection not found")
    versions = [modified for modified, _ in _versions_of(request, name, object_id)]
    if not versions:
        return error(404, "Object not found")
    return taxii({"more": False, "versions": sorted(set(versions))})


def _add_objects(request: HttpRequest, name: str) -> HttpResponse:
    if name != "imports" or not _may_import(request):
        return error(403, "This collection is not writable for you")
    # A JSON media type is required, never assumed: a body sent with none (or a form's type) is
    # what another site's page can make a browser send without asking, with the Basic
    # credentials it has cached; a JSON type makes the browser ask first, and Allied says no.
    if "json" not in (request.content_type or ""):
        return error(415, "Send a TAXII envelope as application/taxii+json;version=2.1")
    try:
        envelope = json.loads(request.body or b"{}")
    except RequestDataTooBig:
        return error(413, "The envelope is larger than max_content_length")
    except ValueError:
        return error(400, "The body is not JSON")
    # The importer states the marking of objects that carry no Allied marking, and so of those
    # whose marking definitions Allied cannot map; an envelope of Allied-marked objects needs none.
    marking = request.GET.get("marking") or request.headers.get("X-Allied-Default-Marking")
    try:
        stored = stix.import_bundle(
            envelope,
            collection="imports",
            default_marking=marking or None,
            user=request.user,
            viewer=viewer_of(request),
        )
    except stix.MarkingNeeded as exc:
        return error(
            400,
            "Give the marking of objects that carry none",
            f"{exc}. Set ?marking=... or the X-Allied-Default-Marking header, e.g. "
            "'SECRET//NOFORN'.",
        )
    except stix.ImportError_ as exc:
        return error(422, "The envelope was not imported; nothing was stored", str(exc))
    now = stix.stix_time(datetime.now(UTC))
    return taxii(
        {
            "id": f"{request.user.pk}-{now}",
            "status": "complete",
            "request_timestamp": now,
            "total_count": stored,
            "success_count": stored,
            "failure_count": 0,
            "pending_count": 0,
        },
        status=202,
    )
