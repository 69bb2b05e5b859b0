"""Charts carry exactly their rows, inline, and render as a table too."""

import json
import re

from django.template import Context, Template

from allied.core.charts import Column, bar, line


def render(chart):
    return Template("{% load charts %}{% chart c %}").render(Context({"c": chart}))


def spec_of(html, chart_id):
    match = re.search(
        rf'<script id="{chart_id}-spec" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, html
    return json.loads(match.group(1))


def test_bar_chart_spec_holds_the_rows_inline_and_names_no_data_url():
    rows = [{"partner": "JPN", "share": 0.5}, {"partner": "PHL", "share": 0.25}]
    chart = bar(
        "releasable",
        "Share releasable",
        "Share of products releasable to each partner",
        rows,
        category=Column("partner", "Partner"),
        value=Column("share", "Share"),
    )
    spec = spec_of(render(chart), "releasable")
    assert spec["data"] == {"values": rows}
    assert spec["encoding"]["y"]["field"] == "partner"
    assert "url" not in json.dumps(spec["data"])


def test_chart_text_cannot_close_its_script_element():
    rows = [{"label": "</script><script>alert(1)</script>", "n": 1}]
    chart = bar("x", "T", "D", rows, category=Column("label", "L"), value=Column("n", "N"))
    html = render(chart)
    assert "<script>alert(1)" not in html
    assert spec_of(html, "x")["data"]["values"] == rows


def test_chart_is_also_a_table_of_the_same_rows():
    rows = [{"day": "2026-01-01", "share": 3}, {"day": "2026-02-01", "share": 4}]
    chart = line("t", "Over time", "D", rows, x=Column("day", "Day"), y=Column("share", "Share"))
    html = render(chart)
    cells = re.findall(r"<td>(.*?)</td>", html)
    assert cells == ["2026-01-01", "3", "2026-02-01", "4"]
    assert '<th scope="col">Day</th>' in html


def test_empty_chart_says_so_and_draws_nothing():
    # An empty Vega drawing has marks without text alternatives (axe: svg-img-alt), and nothing
    # to say: the page says so in words instead.
    chart = bar("e", "T", "D", [], category=Column("a", "A"), value=Column("b", "B"))
    html = render(chart)
    assert "Nothing to show yet" in html
    assert "data-chart-spec" not in html and "application/json" not in html
