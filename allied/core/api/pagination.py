"""API lists page by ``limit`` and ``offset`` and say whether more follow, never how many.

A ``count`` would cost a whole-table count under row-level security on every call (the same scan
the pages stopped making), and an exact per-viewer count could only come cheaply from a summary
per marked table and per filter. The APIs that serve lists at scale return the next link and no
total (Stripe's ``has_more``, GitHub's and Slack's next links), so this one does too: a list
reads ``limit + 1`` rows, and ``next`` is given when the extra row exists. Nothing here counts
what the caller may not see, because nothing here counts.

``NextOnlyPagination.paginate_queryset`` takes ``keep``: a list that must drop some fetched rows
after reading them (the products API leaves out a product whose version for this caller is all
DISPLAY ONLY) reads on past them, so a page is never short while more follow, and ``next``
resumes after the last row it read; the offsets are positions in the list before that filter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

#: Rows read past a page's ``limit`` at most, when ``keep`` drops rows, before giving up on
#: filling it (the page then ends early, with ``next`` where reading stopped).
MAX_READ_FACTOR = 4


class NextOnlyPagination(LimitOffsetPagination):
    """``limit``/``offset`` pages with ``next`` and ``previous`` links and no ``count``."""

    # The browsable API draws Previous/Next only: page numbers would need the count.
    template = "rest_framework/pagination/previous_and_next.html"

    def paginate_queryset(
        self,
        queryset: Any,
        request: Any,
        view: Any = None,
        keep: Callable[[list[Any]], list[Any]] | None = None,
    ) -> list[Any] | None:
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.offset = self.get_offset(request)
        limit, start = self.limit, self.offset
        if keep is None:
            rows = list(queryset[start : start + limit + 1])
            self.has_next = len(rows) > limit
            self.next_offset = start + limit
            return rows[:limit]
        kept: list[Any] = []
        position = start
        while True:
            batch = list(queryset[position : position + limit + 1])
            window = batch[:limit]
            survivors = {id(row) for row in keep(window)}
            for index, row in enumerate(window):
                if id(row) in survivors:
                    kept.append(row)
                    if len(kept) == limit:
                        # Full: resume after this row. What follows may all be dropped, in
                        # which case the next page is empty (and says so with no ``next``).
                        position += index + 1
                        self.has_next = index + 1 < len(window) or len(batch) > limit
                        break
            else:
                position += len(window)
                self.has_next = len(batch) > limit
                if self.has_next and position - start < limit * MAX_READ_FACTOR:
                    continue
            break
        self.next_offset = position
        return kept

    def get_next_link(self) -> str | None:
        if not getattr(self, "has_next", False):
            return None
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, self.limit_query_param, self.limit)
        return replace_query_param(url, self.offset_query_param, self.next_offset)

    def get_previous_link(self) -> str | None:
        if self.offset <= 0:
            return None
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, self.limit_query_param, self.limit)
        if self.offset - self.limit <= 0:
            return remove_query_param(url, self.offset_query_param)
        return replace_query_param(url, self.offset_query_param, self.offset - self.limit)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        full = super().get_paginated_response_schema(schema)
        full["properties"].pop("count", None)
        full["required"] = [name for name in full.get("required", []) if name != "count"]
        return full

    def get_html_context(self) -> dict[str, Any]:
        return {"previous_url": self.get_previous_link(), "next_url": self.get_next_link()}

    def get_count(self, queryset: Any) -> int:
        raise NotImplementedError("the API never counts a list")
