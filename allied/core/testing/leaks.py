"""The leak-test kit: canaries in every marked model, and a crawl of every surface as every person.

Every marked model registers a canary factory (``@canary_factory(Model)``) next to its tests; the
meta-tests fail when one is missing. ``plant`` writes, for each canary marking, one row of every
marked model carrying a unique string. ``crawl`` then fetches every URL pattern (with the real ids
of planted rows), every GET operation of the OpenAPI schema, their JSON, browsable-API, htmx and
export variants, as one signed-in person, and reports each response that shows that person a
canary the markings engine says they may not see, or a hidden record answered otherwise than a
missing one, or a count that counts hidden rows; and, of what each response may show, a page
whose banner is below a canary it shows, or a canary shown with no audit entry for its row
(``ResponseChecks``). Every machine-readable response (the API, TAXII, JSON, downloads) is an
export and must not carry a canary the person may only view (DISPLAY ONLY); ``crawl_taxii``
walks the TAXII feeds page by page.
"""

from __future__ import annotations

import base64
import html
import re
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from django.db.models.signals import post_save
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from allied.core.models.marked import MarkedModel, StoredMarking, marked_models, system_access
from allied.core.vocabulary import parse
from allied.markings import Marking, MarkingError
from allied.markings.access import Viewer, decide
from allied.markings.release import as_seen_by
from allied.markings.rollup import loosening

# Markings chosen so that every person of the cast has something it must not see: NOFORN at
# every level, releases to one partner each, community releases, DISPLAY ONLY, SCI, and levels
# above each partner's clearance.
CANARY_MARKINGS: tuple[str, ...] = (
    "TOP SECRET//SI-G//NOFORN",
    "TOP SECRET//NOFORN",
    "SECRET//NOFORN",
    "CONFIDENTIAL//NOFORN",
    "SECRET",
    "UNCLASSIFIED//FISA",
    "SECRET//RELIDO",
    "SECRET//REL TO USA, FVEY",
    "SECRET//REL TO USA, NATO",
    "SECRET//REL TO USA, QUAD",
    "TOP SECRET//REL TO USA, AUS, GBR, JPN, KOR",
    "SECRET//REL TO USA, JPN",
    "SECRET//REL TO USA, KOR",
    "SECRET//REL TO USA, PHL",
    "CONFIDENTIAL//REL TO USA, IND",
    "SECRET//REL TO USA, AUS",
    "CONFIDENTIAL//DISPLAY ONLY JPN",
    # Released to Japan, view only for Korea: one row that is an export for one partner and
    # display only for another.
    "SECRET//REL TO USA, JPN/DISPLAY ONLY KOR",
    "UNCLASSIFIED",
)

Factory = Callable[[StoredMarking, str], MarkedModel]
CANARY_FACTORIES: dict[type[MarkedModel], Factory] = {}


def canary_factory(model: type[MarkedModel]) -> Callable[[Factory], Factory]:
    """Register how to make a row of ``model`` that shows ``text`` wherever the row is shown."""

    def register(factory: Factory) -> Factory:
        CANARY_FACTORIES[model] = factory
        return factory

    return register


@dataclass(frozen=True)
class Canary:
    model: type[MarkedModel]
    pk: Any
    marking: str
    text: str


@dataclass
class Finding:
    person: str
    url: str
    problem: str

    def __str__(self) -> str:
        return f"{self.person} GET {self.url}: {self.problem}"


@dataclass
class Planted:
    canaries: list[Canary] = field(default_factory=list)
    #: For each canary text, the rows written with it under its marking (``app.model:pk``, and a
    #: STIX id where the row has one): the canary's row and its parents or children that carry
    #: the same text, any of which an audit entry may name when the text is shown.
    rows: dict[str, frozenset[str]] = field(default_factory=dict)

    def by_model(self, model: type[Any]) -> list[Canary]:
        return [c for c in self.canaries if c.model is model]

    def forbidden_for(self, viewer: Viewer, on: date) -> list[Canary]:
        return [c for c in self.canaries if not decide(viewer, parse(c.marking), on).view]

    def allowed_for(self, viewer: Viewer, on: date) -> list[Canary]:
        return [c for c in self.canaries if decide(viewer, parse(c.marking), on).view]


def plant() -> Planted:
    """One canary row per registered marked model and canary marking."""
    from allied.core import vocabulary

    vocabulary.refresh()
    autodiscover()
    planted = Planted()
    with system_access("leak tests: plant canaries"):
        stored = {text: StoredMarking.objects.intern(text) for text in CANARY_MARKINGS}
        for model, factory in CANARY_FACTORIES.items():
            for text in CANARY_MARKINGS:
                canary = f"CANARY{uuid.uuid4().hex[:12].upper()}"
                with _saved_rows() as saved:
                    obj = factory(stored[text], canary)
                planted.canaries.append(Canary(model, obj.pk, text, canary))
                planted.rows[canary] = row_names(saved, stored[text])
    return planted


def autodiscover() -> None:
    """Import ``canaries`` of every installed Allied app, where the apps register factories."""
    import importlib

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("allied."):
            try:
                importlib.import_module(f"{config.name}.canaries")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.canaries":
                    raise


def missing_factories() -> list[str]:
    autodiscover()
    return sorted(m._meta.label for m in marked_models() if m not in CANARY_FACTORIES)


# --- URL enumeration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    regex: str
    name: str | None
    callback: Callable[..., Any]
    params: tuple[str, ...]

    @property
    def view_class(self) -> type[Any] | None:
        return getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)

    @property
    def is_api(self) -> bool:
        """Served by Django REST framework (which reads ``?format=``), not a page."""
        from rest_framework.views import APIView

        cls = getattr(self.callback, "cls", None)
        return isinstance(cls, type) and issubclass(cls, APIView)

    @property
    def model(self) -> type[Any] | None:
        cls = self.view_class
        if cls is None:
            return getattr(self.callback, "allied_model", None)
        for attr in ("queryset_model", "model"):
            model = getattr(cls, attr, None)
            if isinstance(model, type):
                return model
        queryset = getattr(cls, "queryset", None)
        return getattr(queryset, "model", None)


def routes() -> list[Route]:
    """Every URL pattern of the project, with its full regex and parameter names."""
    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            regex = prefix + _regex_of(entry)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, regex)
            elif isinstance(entry, URLPattern):
                params = tuple(re.findall(r"\(\?P<(\w+)>", regex))
                found.append(Route(regex, entry.name, entry.callback, params))

    walk(get_resolver().url_patterns, "")
    return found


def _regex_of(entry: URLPattern | URLResolver) -> str:
    pattern = entry.pattern
    regex = getattr(pattern, "regex", None)
    text = regex.pattern if regex is not None else str(pattern)
    return text.removeprefix("^").removesuffix("$").removesuffix("\\Z")


def _fill(regex: str, values: dict[str, str]) -> str | None:
    """A concrete path for ``regex`` with its named groups replaced by ``values``."""

    def group(match: re.Match[str]) -> str:
        return values.get(match.group(1), "\x00")

    # Replace each named group, then drop the regex syntax that remains around literal text.
    path = re.sub(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)", group, regex)
    if "\x00" in path:
        return None
    path = path.replace("\\.", ".").replace("\\-", "-").replace("/?", "/")
    if re.search(r"[\\^$()\[\]*+?|{}]", path):
        return None
    return "/" + path.lstrip("/")


def urls_for(route: Route, planted: Planted) -> Iterator[tuple[str, Canary | None]]:
    """Concrete URLs of ``route``, with the planted row each one names when that is known.

    A route of a marked model gets one URL per planted row of that model. A route whose model is
    unknown (unmarked records named by code, TAXII's own identifiers) gets one URL, with an id
    that names nothing, so its answer to a wrong id is still searched for canaries; routes with
    a parameter must otherwise name their model (``test_leaks`` checks that). Format-suffix twins
    (``.json``) are left out: the ``?format=`` variants cover them.
    """
    if "format" in route.params:
        return
    if not route.params:
        yield _fill(route.regex, {}) or "", None
        return
    model = route.model
    if model in CANARY_FACTORIES:
        for canary in planted.by_model(model):
            url = _fill(route.regex, {p: str(canary.pk) for p in route.params})
            if url:
                yield url, canary
        return
    url = _fill(route.regex, {p: MISSING_ID for p in route.params})
    if url:
        yield url, None


# --- the crawl ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Forbidden:
    """The canaries one viewer must not be shown on a day: those hidden from them, and those they
    may view but not export (DISPLAY ONLY), which no export may carry."""

    hidden: dict[str, Canary]
    not_exportable: dict[str, Canary]

    @classmethod
    def of(cls, planted: Planted, viewer: Viewer, day: date) -> Forbidden:
        return cls(
            hidden={c.text: c for c in planted.forbidden_for(viewer, day)},
            not_exportable={
                c.text: c
                for c in planted.canaries
                if not decide(viewer, parse(c.marking), day).export
            },
        )

    def of_kind(self, *, export: bool) -> dict[str, Canary]:
        """The canaries a response must not carry: an export (``export``) or a page."""
        return self.not_exportable if export else self.hidden

    def shown_in(self, content: bytes, *, export: bool) -> list[str]:
        """What a response body (an export when ``export``) shows that it must not, in words."""
        body = content.decode("utf-8", "replace")
        forbidden = self.of_kind(export=export)
        return [
            f"shows canary of {c.marking} ({c.model._meta.label} {c.pk})"
            for text, c in forbidden.items()
            if text in body
        ]


#: A list on the API is fetched in each of its renderers (JSON, the browsable API, CSV where a
#: view offers it), on its second page and as an htmx request; a list page as itself, as JSON
#: (should a page ever answer it), as a PDF (the brief's download), on its second page and as an
#: htmx partial. ``api`` and ``csv`` are renderer names of Django REST framework, which pages
#: ignore; other exports have URLs of their own (a product's export), fetched as routes.
API_VARIANTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("", {}),
    ("?format=json", {}),
    ("?format=api", {}),
    ("?format=csv", {}),
    ("?page=2", {}),
    ("", {"HTTP_HX_REQUEST": "true"}),
)
PAGE_VARIANTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("", {}),
    ("?format=json", {}),
    ("?format=pdf", {}),
    ("?page=2", {}),
    ("", {"HTTP_HX_REQUEST": "true"}),
)
#: A record's own URL is fetched as a page, as JSON and as an htmx partial.
DETAIL_VARIANTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("", {}),
    ("?format=json", {}),
    ("", {"HTTP_HX_REQUEST": "true"}),
)
SKIP_PATHS = ("/logout/",)
MISSING_ID = "987654321"


def _worth_visiting(
    urls: Iterable[tuple[str, Canary | None]], only: str, kinds: dict[str, tuple[Any, ...]]
) -> Iterator[tuple[str, Canary | None]]:
    """The URLs under ``only`` a crawl fetches: every list, and one record's URL per kind of
    decision. One record per kind is enough for a record's own URL: the lists (every variant)
    still show every canary, and the markings engine, tested on its own, tells the kinds apart."""
    tried: set[tuple[Any, ...]] = set()
    for url, canary in urls:
        if not url or url.startswith(SKIP_PATHS) or not url.startswith(only):
            continue
        if canary is not None:
            if kinds[canary.text] in tried:
                continue
            tried.add(kinds[canary.text])
        yield url, canary


def _hidden_answer_problem(
    client: Client, url: str, headers: dict[str, str], response: Any, canary: Canary
) -> str:
    """How the answer at ``url`` for a hidden record tells it apart from a missing one, or ""."""
    if response.status_code != 404:
        return f"a hidden record answered {response.status_code}, not 404"
    missing = client.get(url.replace(str(canary.pk), MISSING_ID), **headers)
    # Read the missing id as the hidden one: then nothing may tell them apart.
    if missing.content.replace(MISSING_ID.encode(), str(canary.pk).encode()) != response.content:
        return "a hidden record's 404 differs from a missing record's"
    return ""


def crawl(client: Client, person: str, viewer: Viewer, planted: Planted, *, on: date | None = None,
          schema_paths: list[str] | None = None, only: str = "/") -> list[Finding]:  # fmt: skip
    """Every leak a signed-in ``person`` can find; an empty list when there is none.

    ``only`` limits the crawl to URLs under one prefix (the crawl's own mutation tests use it).
    """
    day = on or date.today()
    forbidden_to = Forbidden.of(planted, viewer, day)
    findings: list[Finding] = []
    seen: set[str] = set()
    checks = ResponseChecks(person, viewer, planted, day)
    client = checks.checking(client)

    def fetch(url: str, headers: dict[str, str], canary: Canary | None) -> None:
        key = url + repr(sorted(headers.items()))
        if key in seen:
            return
        seen.add(key)
        response = client.get(url, **headers)
        export = _leaves_the_system(response)
        body = readable(response.content, response.get("Content-Type", "")).encode()
        for problem in forbidden_to.shown_in(body, export=export):
            findings.append(Finding(person, url, problem))
        if canary is not None and canary.text in forbidden_to.of_kind(export=export):
            problem = _hidden_answer_problem(client, url, headers, response, canary)
            if problem:
                findings.append(Finding(person, url, problem))
        _check_count(response, url, person, viewer, planted, day, findings)

    kinds = decision_kinds(planted, viewer, day)

    def visit(urls: Iterable[tuple[str, Canary | None]], *, api: bool) -> None:
        for url, canary in _worth_visiting(urls, only, kinds):
            detail = canary is not None or url.endswith(f"/{MISSING_ID}/")
            variants = DETAIL_VARIANTS if detail else API_VARIANTS if api else PAGE_VARIANTS
            for suffix, headers in variants:
                fetch(url + suffix, headers, canary if not suffix else None)

    for route in routes():
        visit(urls_for(route, planted), api=route.is_api)
    # The schema's operations are the API's own routes, so they mostly name URLs already
    # fetched; an operation the URL walk missed is fetched here.
    for template in schema_paths or []:
        visit(schema_urls(template, planted), api=True)
    return findings + checks.findings


# --- banners and audit entries of what a response shows ---------------------------------------

CANARY_TEXT = re.compile(r"CANARY[0-9A-F]{12}")
BANNER = re.compile(r'<div class="allied-banner allied-banner--(?:top|bottom)\b[^"]*">([^<]*)<')


def banner_shortfalls(banner: Marking, shown: Marking) -> list[str]:
    """Every way in which a page's ``banner`` is less restrictive than a marking it ``shown``.

    The banner is the roll-up of what the page shows, so it is at least as restrictive as each of
    them: classification (rule 18), SCI, SAP and AEA (rule 19), other dissemination controls
    (rule 21) and foreign disclosure (rule 24: NOFORN stays NOFORN, REL TO lists only shrink,
    DISPLAY ONLY is never an export); a compilation may only raise it (rule 28). The engine's
    ``loosening`` decides it, as it does for a compilation override (a NOFORN item under a RELIDO
    banner is a lower banner, rule 24(c)).
    """
    return loosening(banner, shown)


class ResponseChecks:
    """The crawl's checks of what one response shows a person, beyond what it must not show.

    * **Banner**: on an HTML page, each banner line is at least as restrictive as the marking of
      every canary whose text the page shows (``banner_shortfalls``), as that viewer reads it
      (``as_seen_by``, P7), and a page that shows a canary has a banner.
    * **Audit**: a response that shows a canary's text has an audit entry, written during that
      request for that person, naming the canary's row or a row planted with it
      (``Planted.rows``): an entry of its own (``record``, ``record_reads`` of one object) or
      the one entry of a page or feed page listing it (``record_reads``, ``record_feed_read``),
      sealed yet or not.

    Each response costs one scan of its body for canary texts; one that shows a canary, one
    query (the audit entries since the last such query). Markings are compared once per pair.
    """

    def __init__(self, person: str, viewer: Viewer, planted: Planted, day: date) -> None:
        self.person = person
        self.viewer = viewer
        self.planted = planted
        self.by_text = {c.text: c for c in planted.canaries}
        self.day = day
        self.findings: list[Finding] = []
        self._seen_as: dict[str, Marking] = {}
        self._shortfalls: dict[tuple[str, str], list[str]] = {}
        self._head = self._last_id()

    def checking(self, client: Client) -> Client:
        """``client``, with every response it fetches checked."""
        checks = self

        class Checked:
            def __getattr__(self, name: str) -> Any:
                return getattr(client, name)

            def get(self, path: str, *args: Any, **extra: Any) -> Any:
                started = timezone.now()
                response = client.get(path, *args, **extra)
                checks.check(path, response, started)
                return response

        return cast(Client, Checked())

    def check(self, url: str, response: Any, started: datetime) -> None:
        """Check a ``response`` to a request made at ``started``."""
        export = _is_export(response)
        body = readable(response.content, response.get("Content-Type", ""))
        shown = [self.by_text[t] for t in set(CANARY_TEXT.findall(body)) if t in self.by_text]
        if not shown:
            return
        entries = self._entries_since(started)
        problems = self.audit_problems(shown, entries, export=export)
        if response.get("Content-Type", "").startswith("text/html") and not export:
            problems += self.banner_problems(shown, body)
        self.findings += [Finding(self.person, url, p) for p in problems]

    def banner_problems(self, shown: list[Canary], body: str) -> list[str]:
        """One finding per banner line that is below some of what the page shows."""
        if "<html" not in body:
            return []  # an htmx fragment, inside a page that has the banner
        labels = {html.unescape(label).strip() for label in BANNER.findall(body)}
        if not labels:
            return [f"banner check: no banner on a page showing {_rows_by_marking(shown)}"]
        problems = []
        for label in sorted(labels):
            below = [c for c in shown if self._shortfall(label, c.marking)]
            reasons = {c.marking: "; ".join(self._shortfall(label, c.marking)) for c in below}
            if below:
                problems.append(f"banner check: banner {label} is below "
                                f"{_rows_by_marking(below, reasons)}")  # fmt: skip
        return problems

    def _shortfall(self, label: str, marking: str) -> list[str]:
        key = (label, marking)
        if key not in self._shortfalls:
            try:
                banner = parse(label)
            except MarkingError:
                self._shortfalls[key] = [f"the banner {label!r} is not a marking"]
            else:
                if marking not in self._seen_as:
                    self._seen_as[marking] = as_seen_by(parse(marking), self.viewer, self.day)
                self._shortfalls[key] = banner_shortfalls(banner, self._seen_as[marking])
        return self._shortfalls[key]

    def audit_problems(self, shown: list[Canary], entries: list[tuple[str, str, str, Any]],
                       *, export: bool) -> list[str]:  # fmt: skip
        """Rows shown that no entry names; an export that wrote no ``export`` entry."""
        named: set[str] = set()
        for _, object_type, object_id, detail in entries:
            named.add(f"{object_type}:{object_id}")
            feed = detail.get("objects_by_marking") if isinstance(detail, dict) else None
            if isinstance(feed, dict):
                # A feed lists STIX ids, or the primary keys of rows of ``object_type``.
                for i in (i for ids in feed.values() for i in ids):
                    named.update((str(i), f"{object_type}:{i}"))
        problems = []
        missing = [c for c in shown if not named & self.planted.rows.get(c.text, frozenset())]
        if missing:
            problems.append(f"audit check: no audit entry for rows shown: "
                            f"{_rows_by_marking(missing)}")  # fmt: skip
        if export and not any(action == "export" for action, *_ in entries):
            problems.append(f"audit check: an export with no export entry, of "
                            f"{_rows_by_marking(shown)}")  # fmt: skip
        return problems

    def _last_id(self) -> int:
        """The newest entry's id: entries are read in the order written (sealed or not yet)."""
        from allied.core.models.audit import AuditEntry

        last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
        return last or 0

    def _entries_since(self, started: datetime) -> list[tuple[str, str, str, Any]]:
        """The person's audit entries appended since ``started``: those its request wrote.

        Only responses that show a canary ask; the entries of the responses between are read
        past (they were appended before ``started``).
        """
        from allied.core.models.audit import AuditEntry

        columns = ("id", "at", "actor_name", "action", "object_type", "object_id", "detail")
        rows = list(
            AuditEntry.objects.filter(id__gt=self._head).order_by("id").values_list(*columns)
        )
        if rows:
            self._head = rows[-1][0]
        return [
            (action, object_type, object_id, detail)
            for _, at, actor, action, object_type, object_id, detail in rows
            if at >= started and actor == self.person
        ]


PDF_STREAM = re.compile(rb"<<([^<>]*)>>\s*stream\r?\n(.*?)endstream", re.S)


def readable(content: bytes, content_type: str) -> str:
    """A response's body as text to search: a PDF's page streams are inflated (ReportLab writes
    them ASCII85- and Flate-encoded, where no text can be found as it is)."""
    if content_type.split(";")[0].strip() != "application/pdf":
        return content.decode("utf-8", "replace")
    parts = [content]
    for match in PDF_STREAM.finditer(content):
        filters, data = re.findall(rb"/(\w+)Decode", match.group(1)), match.group(2).strip()
        try:
            if b"ASCII85" in filters:
                data = base64.a85decode(data.removeprefix(b"<~").removesuffix(b"~>"))
            if b"Flate" in filters:
                data = zlib.decompress(data)
        except (ValueError, zlib.error):
            continue
        parts.append(data)
    return b"\n".join(parts).decode("latin-1")


def _rows_by_marking(canaries: Iterable[Canary], notes: dict[str, str] | None = None) -> str:
    """``SECRET//NOFORN (intel.Product 3, intel.Portion 9); ...``, with a note per marking."""
    by_marking: dict[str, list[str]] = {}
    for c in canaries:
        by_marking.setdefault(c.marking, []).append(f"{c.model._meta.label} {c.pk}")
    return "; ".join(
        f"{marking} ({', '.join(sorted(rows))})" + (f": {notes[marking]}" if notes else "")
        for marking, rows in sorted(by_marking.items())
    )


@contextmanager
def _saved_rows() -> Iterator[list[MarkedModel]]:
    """The marked rows saved inside the block (a canary factory writes a row and its family)."""
    saved: list[MarkedModel] = []

    def collect(sender: Any, instance: Any, **kwargs: Any) -> None:
        if isinstance(instance, MarkedModel):
            saved.append(instance)

    post_save.connect(collect, weak=False, dispatch_uid="allied-leaks-saved-rows")
    try:
        yield saved
    finally:
        post_save.disconnect(dispatch_uid="allied-leaks-saved-rows")


def row_names(rows: Iterable[MarkedModel], marking: StoredMarking) -> frozenset[str]:
    """How audit entries name ``rows`` that carry ``marking``: ``app.model:pk``, and STIX ids."""
    names: set[str] = set()
    for row in rows:
        if getattr(row, "marking_id", None) != marking.pk:
            continue
        names.add(f"{row._meta.label_lower}:{row.pk}")
        stix_id = getattr(row, "stix_id", None)
        if stix_id:
            names.add(str(stix_id))
    return frozenset(names)


def decision_kinds(planted: Planted, viewer: Viewer, day: date) -> dict[str, tuple[Any, ...]]:
    """For each canary, the kind of answer ``viewer`` gets for its marking: may it see it, may
    it export it, under which rule. Canaries of one kind are answered by the same code path."""
    kinds: dict[str, tuple[Any, ...]] = {}
    for canary in planted.canaries:
        decision = decide(viewer, parse(canary.marking), day)
        kinds[canary.text] = (decision.view, decision.export, decision.rule)
    return kinds


def _is_export(response: Any) -> bool:
    return is_export(response.get("Content-Type", ""), response.get("Content-Disposition", ""))


def _leaves_the_system(response: Any) -> bool:
    """A download, or any machine-readable answer: what must carry no DISPLAY ONLY."""
    return _is_export(response) or is_machine_readable(
        _path_of(response), response.get("Content-Type", "")
    )


# --- exports: every machine-readable surface ------------------------------------------------------

#: Where every response is an export, whatever its format: the REST API (its JSON, CSV and
#: browsable renderings alike) and TAXII.
MACHINE_READABLE_PREFIXES = ("/api/", "/taxii2/")


def is_machine_readable(path: str, content_type: str) -> bool:
    """An export by where it is or what it is: the API, TAXII, or any JSON answer.

    Only rendered pages (HTML outside the API) may show DISPLAY ONLY content (rule 24(f)). The
    crawl decides this from the response alone, never from the code under test, so that removing
    the application's export rule makes the crawl fail.
    """
    media = content_type.split(";")[0].strip()
    return (
        path.startswith(MACHINE_READABLE_PREFIXES)
        or media == "application/json"
        or media.endswith("+json")
    )


def _path_of(response: Any) -> str:
    request = getattr(response, "wsgi_request", None)
    return str(getattr(request, "path", "") or "")


TAXII_COLLECTIONS = "/taxii2/api/collections/"
#: Small pages, so that a feed of a few canaries already spans several pages of ``next``.
TAXII_PAGE = 5


def crawl_taxii(
    client: Client,
    person: str,
    viewer: Viewer,
    planted: Planted,
    *,
    on: date | None = None,
    reference: Client | None = None,
) -> list[Finding]:
    """Every TAXII response as export, for one signed-in ``person``: both collections' objects
    and manifest, followed page by page through ``next`` and again after ``added_after``, and
    each object's own URL and versions.

    Object ids come from the person's own feed and, with ``reference`` (a client that may read
    every canary), from that feed too: one object per kind of decision, so that an object the
    person must not have is asked for by its id.
    """
    day = on or date.today()
    forbidden = Forbidden.of(planted, viewer, day)
    findings: list[Finding] = []

    def check(url: str, response: Any) -> None:
        for problem in forbidden.shown_in(response.content, export=True):
            findings.append(Finding(person, url, problem))

    listing = client.get(TAXII_COLLECTIONS)
    check(TAXII_COLLECTIONS, listing)
    if listing.status_code != 200:
        return [*findings, Finding(person, TAXII_COLLECTIONS, f"answered {listing.status_code}")]
    kinds = decision_kinds(planted, viewer, day)
    for info in listing.json().get("collections", []):
        base = f"{TAXII_COLLECTIONS}{info['id']}/"
        check(base, client.get(base))
        seen: list[dict[str, Any]] = []
        for endpoint in ("objects", "manifest"):
            first = _taxii_pages(client, f"{base}{endpoint}/", {}, check, seen)
            if first is not None:
                _taxii_pages(client, f"{base}{endpoint}/", {"added_after": first}, check, [])
        if reference is not None:
            _taxii_pages(reference, f"{base}objects/", {}, lambda url, response: None, seen)
        tried: set[Any] = set()
        for obj in seen:
            body = repr(obj)
            kind = next((kinds[c.text] for c in planted.canaries if c.text in body), None)
            if kind in tried or "id" not in obj:
                continue
            tried.add(kind)
            for suffix in ("", "versions/"):
                url = f"{base}objects/{obj['id']}/{suffix}"
                check(url, client.get(url))
    return findings


def _taxii_pages(
    client: Client,
    url: str,
    params: dict[str, str],
    check: Callable[[str, Any], None],
    seen: list[dict[str, Any]],
) -> str | None:
    """Fetch ``url`` page by page through ``next``, checking each page; the date-added of the
    first page's last object (to ask again with ``added_after``), or None."""
    token: str | None = None
    added: str | None = None
    for _ in range(1000):
        query = {**params, "limit": str(TAXII_PAGE), **({"next": token} if token else {})}
        response = client.get(url, query)
        check(f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}", response)
        if response.status_code != 200:
            return added
        page = response.json()
        objects = page.get("objects", [])
        seen.extend(o for o in objects if isinstance(o, dict))
        if added is None:
            added = response.get("X-TAXII-Date-Added-Last") or next(
                (o["date_added"] for o in reversed(objects) if "date_added" in o), None
            )
        token = page.get("next")
        if not page.get("more") or not token:
            return added
    return added


def is_export(content_type: str, disposition: str) -> bool:
    """A response meant to leave the system: an attachment, or a file format rather than a page."""
    return "attachment" in disposition or content_type.split(";")[0] in {
        "text/csv",
        "application/pdf",
        "application/zip",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/stix+json",
        "application/taxii+json",
    }


def _check_count(response: Any, url: str, person: str, viewer: Viewer, planted: Planted,
                 day: date, findings: list[Finding]) -> None:  # fmt: skip
    """An API list's ``count`` must count only what this viewer may see."""
    if response.status_code != 200 or "json" not in response.get("Content-Type", ""):
        return
    try:
        data = response.json()
    except ValueError:
        return
    if not isinstance(data, dict) or "count" not in data or "results" not in data:
        return
    route_model = _model_for_url(url)
    if route_model is None or route_model not in CANARY_FACTORIES:
        return
    counted = viewer.for_export() if _leaves_the_system(response) else viewer  # exports: less
    with system_access("leak tests: count visible rows"):
        expected = route_model.objects.visible_to(counted, on=day).count()
    if data["count"] != expected:
        findings.append(Finding(person, url, f"count {data['count']} but {expected} visible"))


def _model_for_url(url: str) -> type[Any] | None:
    from django.urls import resolve

    try:
        match = resolve(url.split("?")[0])
    except Exception:
        return None
    route = Route("", match.url_name, match.func, ())
    return route.model


def schema_get_paths(client: Client) -> list[str]:
    """The path of every GET operation in the OpenAPI schema, as templates (``{id}``)."""
    response = client.get("/api/schema/", {"format": "json"})
    if response.status_code != 200:
        return []
    schema = response.json()
    return sorted(t for t, operations in schema.get("paths", {}).items() if "get" in operations)


def schema_urls(template: str, planted: Planted) -> Iterator[tuple[str, Canary | None]]:
    """Concrete URLs for a schema path: one per planted row of the model its route serves, in
    the order the URL walk uses; one URL with an id that names nothing when the model is unknown.
    """
    names = re.findall(r"{(\w+)}", template)
    if not names:
        yield template, None
        return

    def fill(value: str) -> str:
        path = template
        for name in names:
            path = path.replace("{" + name + "}", value)
        return path

    model = _model_for_url(fill(MISSING_ID))
    if model in CANARY_FACTORIES:
        for canary in planted.by_model(model):
            yield fill(str(canary.pk)), canary
    else:
        yield fill(MISSING_ID), None
