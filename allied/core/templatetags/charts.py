"""``{% chart c %}``: a Vega-Lite chart with its data table (see ``allied.core.charts``)."""

from __future__ import annotations

from typing import Any

from django import template

from allied.core.charts import Chart

register = template.Library()


@register.inclusion_tag("core/_chart.html")
def chart(chart: Chart) -> dict[str, Any]:
    return {
        "chart": chart,
        "spec": chart.spec(),
        "spec_id": f"{chart.id}-spec",
        "table": chart.table(),
    }


@register.inclusion_tag("core/_chart_scripts.html")
def chart_scripts() -> dict[str, Any]:
    return {}
