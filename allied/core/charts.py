"""Charts as Vega-Lite specs with their data inline, drawn in the browser by the local Vega build.

A chart is built on the server from rows the viewer may already see, so it can show nothing the
viewer's table of the same rows would not. Every chart is also rendered as its data table: that is
what screen readers, printouts and browsers without the Vega files (``make assets`` not run) get.
The spec never names a URL, so Vega fetches nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"


@dataclass(frozen=True)
class Column:
    field: str
    title: str


@dataclass
class Chart:
    """A Vega-Lite chart and the table that carries the same data."""

    id: str
    title: str
    description: str
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Any]]
    mark: Any = "bar"
    encoding: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def spec(self) -> dict[str, Any]:
        return {
            "$schema": SCHEMA,
            "description": self.description,
            "width": "container",
            "data": {"values": [dict(row) for row in self.rows]},
            "mark": self.mark,
            "encoding": dict(self.encoding),
            **self.extra,
        }

    def table(self) -> list[list[Any]]:
        return [[row.get(c.field, "") for c in self.columns] for row in self.rows]


def bar(
    id: str,
    title: str,
    description: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    category: Column,
    value: Column,
    colour: Column | None = None,
    horizontal: bool = True,
) -> Chart:
    """A bar per category (optionally stacked by ``colour``)."""
    cat = {"field": category.field, "type": "nominal", "title": category.title, "sort": "-x"}
    val = {"field": value.field, "type": "quantitative", "title": value.title}
    encoding: dict[str, Any] = {"y": cat, "x": val} if horizontal else {"x": cat, "y": val}
    if not horizontal:
        cat["sort"] = None
    columns = [category, value]
    if colour is not None:
        encoding["color"] = {"field": colour.field, "type": "nominal", "title": colour.title}
        columns.insert(1, colour)
    encoding["tooltip"] = [{"field": c.field, "title": c.title} for c in columns]
    return Chart(id, title, description, columns, rows, "bar", encoding)


def line(
    id: str,
    title: str,
    description: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    x: Column,
    y: Column,
    temporal: bool = True,
    colour: Column | None = None,
) -> Chart:
    """A line over time (or another ordered axis)."""
    encoding: dict[str, Any] = {
        "x": {"field": x.field, "type": "temporal" if temporal else "ordinal", "title": x.title},
        "y": {"field": y.field, "type": "quantitative", "title": y.title},
    }
    columns = [x, y]
    if colour is not None:
        encoding["color"] = {"field": colour.field, "type": "nominal", "title": colour.title}
        columns.insert(1, colour)
    encoding["tooltip"] = [{"field": c.field, "title": c.title} for c in columns]
    return Chart(id, title, description, columns, rows, {"type": "line", "point": True}, encoding)
