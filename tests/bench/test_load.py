"""Reading locust's figures into the load test's table and summary (``bench/load.py``)."""

from __future__ import annotations

from pathlib import Path

from bench import load

HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,"
    "80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)


def stats(tmp_path: Path) -> Path:
    path = tmp_path / "locust_stats.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                "GET,page /working-group/,40,0,120,130,50,900,5000,0.67,0,120,130,140,150,200,"
                "310,400,450,900,900,900",
                "GET,page /bulletins/,100,2,45,50,10,700,3000,1.67,0.03,45,50,55,60,80,95,120,"
                "160,700,700,700",
                ",Aggregated,140,2,60,75,10,900,3600,2.33,0.03,60,70,80,90,130,210,330,420,900,"
                "900,900",
            ]
        )
        + "\n"
    )
    return path


def test_rows_per_page_then_all(tmp_path: Path) -> None:
    rows = load.read_stats(stats(tmp_path))
    assert [r.name for r in rows] == ["page /bulletins/", "page /working-group/", "all"]
    bulletins, queue, total = rows
    assert (bulletins.requests, bulletins.errors, bulletins.p95, bulletins.p99) == (100, 2, 95, 160)
    assert (queue.p50, queue.per_second) == (120, 0.67)
    assert (total.requests, total.errors, total.per_second) == (140, 2, 2.33)


def test_the_markdown_table_has_a_line_per_page(tmp_path: Path) -> None:
    text = load.markdown(load.read_stats(stats(tmp_path)), "# Under load")
    lines = text.splitlines()
    assert lines[0] == "# Under load"
    assert "| `page /working-group/` | 40 | 0.67 | 120 | 310 | 450 | 0 |" in lines
    assert lines[-1] == "| **all** | 140 | 2.33 | 60 | 210 | 420 | 2 |"


def test_the_summary_fails_on_any_error_and_names_the_worst_page(tmp_path: Path) -> None:
    figures = {f.name: f for f in load.summary(load.read_stats(stats(tmp_path)), "2 people")}
    errors = figures["errors in 140 requests"]
    assert (errors.value, errors.target, errors.passed) == (2, 0, False)
    assert figures["throughput, 2 people"].value == 2.33
    assert figures["worst page p95"].value == 310
    assert figures["p99, all pages and API"].value == 420


def test_every_size_of_the_data_set_has_its_words_and_each_scale_sets_them_all() -> None:
    fields = set(load.Sizes.__dataclass_fields__)
    assert set(load.LABELS) == fields
    assert set(load.SCALES) == {"full", "small"}
    for sizes in load.SCALES.values():
        assert all(getattr(sizes, name) > 0 for name in fields)


def test_capacity_is_the_best_step_within_the_limit_without_errors() -> None:
    steps = [
        load.Step(5, 12.0, 60, 120, 0, 40.0),
        load.Step(10, 24.0, 90, 300, 0, 41.0),
        load.Step(20, 33.0, 200, 480, 3, 42.0),  # within the limit, but with errors
        load.Step(30, 36.0, 400, 900, 0, 45.0),  # past the limit
    ]
    figure = load.capacity_figure(steps, 3)
    assert (figure.value, figure.target, figure.compare) == (24.0, load.CAPACITY_FLOOR, ">=")
    assert figure.passed is False
    assert load.capacity_figure(steps[:1], 3).value == 12.0
    assert load.capacity_figure([], 3).value == 0.0
    assert "**24.0 requests/s**" in load.capacity_markdown(steps, load.CAPACITY_P95_MS)
