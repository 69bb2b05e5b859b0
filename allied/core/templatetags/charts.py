"""``{% chart c %}``: a Vega-Lite chart with its data table (see ``allied.core.charts``)."""

from __future__ import annotations

from typing import Any

from django import template

from allied.core.charts import Chart
from allied.core.security import allow_eval

register = template.Library()


@register.inclusion_tag("core/_chart.html")
def chart(chart: Chart) -> dict[str, Any]:
    return {
        "chart": chart,
        "spec": chart.spec(),
        "spec_id": f"{chart.id}-spec",
        "table": chart.table(),
    }


@register.inclusion_tag("core/_chart_scripts.html", takes_context=True)
def chart_scripts(context: template.Context) -> dict[str, Any]:
    """Vega's scripts; the page's Content-Security-Policy lets them compile expressions (Vega
    builds its expression and accessor functions with ``Function``), on chart pages only."""
    request = context.get("request")
    if request is not None:
        allow_eval(request)
    return {}
