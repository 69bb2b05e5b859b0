"""Full-text search over products and collection requirements, within what the viewer may see.

The backend is the database's own full-text search: on PostgreSQL the generated ``tsvector``
columns and GIN indexes of migration ``0002_search_documents`` (products and portions) and a
vector computed on the fly (requirements), matched with ``plainto_tsquery`` and ranked with
``ts_rank``; on SQLite the FTS5 tables of the same migration, ranked with ``bm25``.

Every table is read through its restricted queryset (``visible_to``), so what is searched is
only what the viewer may see:

* a product is a hit when the viewer may see it and its metadata matches (and at least one of its
  portions is visible, as everywhere else), or when a portion the viewer may see matches. A query
  that matches only withheld portions finds nothing, not even an empty hit;
* a snippet is cut from the best matching portion the viewer may see, never from anything else;
* counts are counts of visible hits.

The caller records what it shows (``allied.core.restricted.show``): the products, the portions
their snippets come from and the requirements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connections, models
from django.db.models import F

from allied.core.models.marked import MarkedModel, visible_marking_ids
from allied.intel.models import CollectionRequirement, Portion, Product

MAX_TERMS = 16
MAX_TERM_LENGTH = 64
PAGE_SIZE = 20
#: Matches read and ranked per search, of portions and of product metadata each.
RANKED_MATCHES = 1000
SNIPPET_WORDS = 32

_TERM = re.compile(r"[^\W_]+")


def terms(query: str) -> list[str]:
    """The words of a query, in order, without repeats (at most ``MAX_TERMS``).

    Only letters and digits reach the database's query parser: quotes, operators and other
    syntax are dropped, so a query means the same on both backends and cannot fail to parse.
    """
    seen: dict[str, None] = {}
    for word in _TERM.findall(query.casefold()):
        if len(word) <= MAX_TERM_LENGTH:
            seen.setdefault(word, None)
    return list(seen)[:MAX_TERMS]


# --- snippets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    """A piece of one visible text, with the words that match the query marked."""

    parts: tuple[tuple[str, bool], ...]
    cut_before: bool = False
    cut_after: bool = False

    def __str__(self) -> str:
        text = "".join(part for part, _ in self.parts)
        return f"{'… ' if self.cut_before else ''}{text}{' …' if self.cut_after else ''}"


def _stem(word: str) -> str:
    word = word.casefold()
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _matches_term(word: str, stems: set[str]) -> bool:
    stem = _stem(word)
    return stem in stems or any(len(s) >= 3 and stem.startswith(s) for s in stems)


def snippet(text: str, query_terms: list[str], width: int = SNIPPET_WORDS) -> Snippet:
    """About ``width`` words of ``text`` around its first match, matching words marked.

    Called only with the text of a row the viewer may see: the snippet shows nothing else.
    """
    stems = {_stem(t) for t in query_terms}
    tokens = re.findall(r"\S+|\s+", text)
    positions = [i for i, token in enumerate(tokens) if not token.isspace()]
    if not positions:
        return Snippet(())
    first = next(
        (
            n
            for n, i in enumerate(positions)
            if any(_matches_term(w, stems) for w in _TERM.findall(tokens[i]))
        ),
        0,
    )
    start_word = max(0, first - width // 4)
    end_word = min(len(positions), start_word + width)
    start, end = positions[start_word], positions[end_word - 1] + 1
    parts: list[tuple[str, bool]] = []
    for tok in tokens[start:end]:
        if tok.isspace():
            parts.append((" ", False))
            continue
        # Mark the words inside a token ("strait," -> "strait" marked, "," not).
        last = 0
        for m in _TERM.finditer(tok):
            if _matches_term(m.group(), stems):
                if m.start() > last:
                    parts.append((tok[last : m.start()], False))
                parts.append((m.group(), True))
                last = m.end()
        if last < len(tok):
            parts.append((tok[last:], False))
    return Snippet(tuple(parts), start_word > 0, end_word < len(positions))


# --- the backends -------------------------------------------------------------------------------


class _StoredDocument(models.Func):
    """The ``search_document`` column migration 0002 added to a table (PostgreSQL).

    The column is not a model field; it is named from the table's primary-key column as compiled
    in this query, so that it follows the table's alias in joins and subqueries.
    """

    output_field = SearchVectorField()

    def __init__(self) -> None:
        super().__init__(F("pk"))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        pk_sql, params = compiler.compile(self.source_expressions[0])
        table, _, _column = pk_sql.rpartition(".")
        return f'{table}."search_document"', list(params)


class _Matches(models.Func):
    """``document @@ query`` (PostgreSQL)."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = models.BooleanField()


class _Fts5(models.Func):
    """Whether a row's FTS5 document matches (``rank=False``), or how well (``rank=True``:
    minus its bm25 score, so that higher is better as with ``ts_rank``) (SQLite)."""

    def __init__(self, index: str, query: str, *, rank: bool = False, weights: str = "") -> None:
        super().__init__(
            F("pk"), output_field=models.FloatField() if rank else models.BooleanField()
        )
        self.index, self.query, self.rank, self.weights = index, query, rank, weights

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        pk_sql, params = compiler.compile(self.source_expressions[0])
        if self.rank:
            sql = (
                f"(-(SELECT bm25({self.index}{self.weights}) FROM {self.index} "
                f"WHERE {self.index} MATCH %s AND rowid = {pk_sql}))"
            )
        else:
            sql = f"{pk_sql} IN (SELECT rowid FROM {self.index} WHERE {self.index} MATCH %s)"
        return sql, [*params, self.query]


@dataclass(frozen=True)
class _Indexes:
    table: str
    weights: str = ""


_SQLITE = {
    Product: _Indexes("intel_search_product", ", 10.0, 2.0, 1.0, 1.0"),
    Portion: _Indexes("intel_search_portion"),
    CollectionRequirement: _Indexes("intel_search_requirement", ", 4.0, 4.0, 1.0"),
}


def _requirement_vector() -> SearchVector:
    return (
        SearchVector("topic", weight="A", config="english")
        + SearchVector("region", weight="A", config="english")
        + SearchVector("description", weight="B", config="english")
    )


class Backend:
    """How one database matches and ranks a model's rows for a list of terms."""

    def __init__(self, vendor: str) -> None:
        if vendor not in ("postgresql", "sqlite"):
            raise NotImplementedError(f"full-text search is not built for {vendor}")
        self.vendor = vendor

    def _pg_query(self, words: list[str]) -> SearchQuery:
        return SearchQuery(" ".join(words), config="english", search_type="plain")

    def _pg_document(self, model: type[models.Model]) -> Any:
        return _requirement_vector() if model is CollectionRequirement else _StoredDocument()

    def _fts_query(self, words: list[str]) -> str:
        # Each term quoted: a string, never FTS5 syntax; terms side by side must all match.
        return " ".join(f'"{w}"' for w in words)

    def matches(self, model: type[models.Model], words: list[str]) -> Any:
        if self.vendor == "postgresql":
            return _Matches(self._pg_document(model), self._pg_query(words))
        return _Fts5(_SQLITE[model].table, self._fts_query(words))

    def rank(self, model: type[models.Model], words: list[str]) -> Any:
        if self.vendor == "postgresql":
            return SearchRank(self._pg_document(model), self._pg_query(words))
        index = _SQLITE[model]
        return _Fts5(index.table, self._fts_query(words), rank=True, weights=index.weights)


def backend_for(using: str) -> Backend:
    connection = connections[using]
    if connection.vendor == "sqlite":
        ensure_sqlite_index(using)
    return Backend(connection.vendor)


# --- the SQLite index's triggers ------------------------------------------------------------------

SQLITE_INDEXES = (
    ("intel_search_product", "intel_product", ("title", "originator_agency", "topics", "regions")),
    ("intel_search_portion", "intel_portion", ("text",)),
    ("intel_search_requirement", "intel_collectionrequirement", ("topic", "region", "description")),
)


def sqlite_index_statements(index: str, content: str, columns: tuple[str, ...]) -> list[str]:
    """The FTS5 table over ``content`` and the triggers that keep it in step (idempotent)."""
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {index} USING fts5({cols}, content='{content}', "
        "content_rowid='id', tokenize='porter unicode61')",
        f"CREATE TRIGGER IF NOT EXISTS {index}_ai AFTER INSERT ON {content} BEGIN "
        f"INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER IF NOT EXISTS {index}_ad AFTER DELETE ON {content} BEGIN "
        f"INSERT INTO {index}({index}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER IF NOT EXISTS {index}_au AFTER UPDATE ON {content} BEGIN "
        f"INSERT INTO {index}({index}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {new}); END",
    ]


def ensure_sqlite_index(using: str = "default") -> bool:
    """Recreate the FTS5 triggers (and rebuild the index) if a table rebuild dropped them.

    SQLite migrations that alter a table copy it to a new one and drop the old, and its
    triggers go with it; this puts them back. Returns whether anything had to be repaired.
    """
    expected = {f"{index}_{s}" for index, _, _ in SQLITE_INDEXES for s in ("ai", "ad", "au")}
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
        if expected <= present:
            return False
        for index, content, columns in SQLITE_INDEXES:
            for statement in sqlite_index_statements(index, content, columns):
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {index}({index}) VALUES ('rebuild')")
    return True


# --- searching ----------------------------------------------------------------------------------


@dataclass
class ProductHit:
    product: Product
    rank: float
    portion: Portion | None = None
    snippet: Snippet | None = None


@dataclass
class RequirementHit:
    requirement: CollectionRequirement
    rank: float
    snippet: Snippet | None = None


@dataclass
class Results:
    """One page of hits of each kind, and how many visible hits there are of each."""

    query: str
    terms: list[str]
    products: list[ProductHit] = field(default_factory=list)
    product_count: int = 0
    #: False when more matches were found than are ranked (``RANKED_MATCHES``): the count is
    #: then the number of visible products found so far, a lower bound, and the pages rank them.
    product_count_exact: bool = True
    requirements: list[RequirementHit] = field(default_factory=list)
    requirement_count: int = 0

    @property
    def count(self) -> int:
        return self.product_count + self.requirement_count

    def shown(self) -> list[MarkedModel]:
        """Every marked row these results show: products, snippet portions, requirements."""
        rows: list[MarkedModel] = []
        for hit in self.products:
            rows.append(hit.product)
            if hit.portion is not None:
                rows.append(hit.portion)
        rows.extend(hit.requirement for hit in self.requirements)
        return rows


KINDS = ("products", "requirements")


def search(
    viewer: Any,
    query: str,
    *,
    on: date | None = None,
    kinds: tuple[str, ...] = KINDS,
    offset: int = 0,
    limit: int = PAGE_SIZE,
    using: str = "default",
) -> Results:
    """Search what ``viewer`` may see for ``query``: one page (``offset``, ``limit``) of each kind.

    ``viewer`` is anything ``visible_to`` accepts (a user with a principal, a principal, a
    ``Viewer``). A query without a word finds nothing.
    """
    words = terms(query)
    results = Results(query=query, terms=words)
    if not words:
        return results
    backend = backend_for(using)
    if "products" in kinds:
        results.product_count, results.product_count_exact, results.products = _products(
            backend, viewer, words, on, offset, limit, using
        )
    if "requirements" in kinds:
        results.requirement_count, results.requirements = _requirements(
            backend, viewer, words, on, offset, limit, using
        )
    return results


def _products(
    backend: Backend,
    viewer: Any,
    words: list[str],
    on: date | None,
    offset: int,
    limit: int,
    using: str,
) -> tuple[int, bool, list[ProductHit]]:
    """(visible hits, whether that count is exact, one page of hits)."""
    products = Product.objects.using(using).visible_to(viewer, on=on)
    portions = Portion.objects.using(using).visible_to(viewer, on=on)
    # Visible portions that match (never a withheld portion), and visible products whose
    # metadata match and that show at least one portion.
    matching_portions = portions.filter(backend.matches(Portion, words))
    matching_metadata = products.with_visible_portions().filter(backend.matches(Product, words))

    # Every match with its rank, in one pass over each index (no ordering, no join), up to
    # RANKED_MATCHES of each kind. Beyond that the count is what was found so far (a lower
    # bound, still only visible hits) and the page ranks what was found: add words to narrow.
    cap = RANKED_MATCHES
    if backend.vendor == "postgresql":
        by_portion, by_metadata = _pg_ranked(products, words, cap + 1, using)
    else:
        by_portion = list(
            matching_portions.annotate(best=backend.rank(Portion, words))
            .order_by()
            .values_list("product_id", "best")[: cap + 1]
        )
        by_metadata = list(
            matching_metadata.annotate(best=backend.rank(Product, words))
            .order_by()
            .values_list("pk", "best")[: cap + 1]
        )
    exact = len(by_portion) <= cap and len(by_metadata) <= cap
    best: dict[int, float] = {}
    for product_id, rank in by_metadata:
        best[product_id] = float(rank or 0.0)
    portion_best: dict[int, float] = {}
    for product_id, rank in by_portion:
        portion_best[product_id] = max(portion_best.get(product_id, 0.0), float(rank or 0.0))
    # A matching portion counts only under a product the viewer may see.
    for product_id in products.filter(pk__in=list(portion_best)).values_list("pk", flat=True):
        best[product_id] = max(best.get(product_id, 0.0), portion_best[product_id])
    count = len(best)
    page_ids = sorted(best, key=lambda pk: (-best[pk], pk))[offset : offset + limit]
    if not page_ids:
        return count, exact, []

    found = products.filter(pk__in=page_ids).select_related("marking").in_bulk()
    snippets: dict[int, Portion] = {}
    for portion in (
        matching_portions.filter(product_id__in=page_ids)
        .annotate(best=backend.rank(Portion, words))
        .select_related("marking")
        .order_by("product_id", "-best", "section", "order")
    ):
        snippets.setdefault(portion.product_id, portion)
    hits = []
    for pk in page_ids:
        if pk not in found:
            continue  # changed since it was counted; never shown unless visible
        portion = snippets.get(pk)
        hits.append(
            ProductHit(
                product=found[pk],
                rank=best.get(pk, 0.0),
                portion=portion,
                snippet=snippet(portion.text, words) if portion is not None else None,
            )
        )
    return count, exact, hits


def _pg_ranked(
    products: Any, words: list[str], cap: int, using: str
) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
    """(product id, rank) of up to ``cap`` visible matching portions and of up to ``cap``
    visible products whose metadata match, through the functions of migration
    ``0008_search_function`` (PostgreSQL).

    Under row-level security ``@@`` cannot use the GIN indexes (it is not leakproof), so the
    functions do the index lookup as their owner and apply both walls themselves: the visible
    marking ids computed here by the markings engine, exactly as ``visible_to`` computes them
    (``visible_marking_ids`` over the queryset's scope, export included), and the policy's own
    predicate over the transaction-local settings ``visible_to`` has just bound. They return
    ids and ranks only; every row shown is read again through the restricted querysets.
    """
    scope = products.scope
    visible = visible_marking_ids(scope.compiled, export=scope.export, using=using)
    if not visible:
        return [], []
    query = " ".join(words)
    with connections[using].cursor() as cursor:
        results = []
        for function in ("allied_search_portions", "allied_search_products"):
            cursor.execute(
                f"SELECT product_id, rank FROM {function}"
                "(%s::bigint[], plainto_tsquery('english'::regconfig, %s), %s)",
                [visible, query, cap],
            )
            results.append([(int(pk), float(rank)) for pk, rank in cursor.fetchall()])
    return results[0], results[1]


def _requirements(
    backend: Backend,
    viewer: Any,
    words: list[str],
    on: date | None,
    offset: int,
    limit: int,
    using: str,
) -> tuple[int, list[RequirementHit]]:
    matching = (
        CollectionRequirement.objects.using(using)
        .visible_to(viewer, on=on)
        .filter(backend.matches(CollectionRequirement, words))
    )
    count = matching.count()
    if count == 0 or offset >= count:
        return count, []
    rows = (
        matching.annotate(best=backend.rank(CollectionRequirement, words))
        .select_related("marking", "nation")
        .order_by("-best", "-priority", "pk")[offset : offset + limit]
    )
    return count, [
        RequirementHit(
            requirement=row, rank=float(row.best or 0.0), snippet=snippet(row.description, words)
        )
        for row in rows
    ]


__all__ = [
    "KINDS",
    "PAGE_SIZE",
    "Backend",
    "ProductHit",
    "RequirementHit",
    "Results",
    "Snippet",
    "ensure_sqlite_index",
    "search",
    "snippet",
    "terms",
]
