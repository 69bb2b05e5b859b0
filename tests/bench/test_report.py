"""The benchmarks' shared figures and the one table ``python -m bench`` writes."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path

import pytest

from bench import _report
from bench.__main__ import main as bench_main
from bench._report import AT_LEAST, AT_MOST, Figure


def test_a_figure_passes_or_misses_its_target_in_its_direction() -> None:
    assert Figure("b", "p95", 99.0, "ms", 100.0, AT_MOST).passed is True
    assert Figure("b", "p95", 100.0, "ms", 100.0, AT_MOST).passed is True
    assert Figure("b", "p95", 101.0, "ms", 100.0, AT_MOST).passed is False
    assert Figure("b", "rate", 999.0, "/s", 1000.0, AT_LEAST).passed is False
    assert Figure("b", "rate", 1000.0, "/s", 1000.0, AT_LEAST).passed is True
    assert Figure("b", "cache", 5.0, "/s").passed is None


def test_an_unknown_comparison_is_refused() -> None:
    with pytest.raises(ValueError, match="compare"):
        Figure("b", "p95", 1.0, "ms", 2.0, "<")


def test_record_appends_one_json_line_per_figure_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "figures.jsonl"
    monkeypatch.setenv(_report.ENV, str(path))
    first = _report.record("search", "p95", 41.5, "ms", 100)
    second = _report.record("markings", "decisions", 2.5e6, "/s", 1e6, AT_LEAST)
    assert len(path.read_text().splitlines()) == 2
    assert _report.read(path) == [first, second]


def test_record_writes_nothing_without_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(_report.ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    figure = _report.record("search", "p95", 41.5, "ms", 100)
    assert figure.value == 41.5
    assert list(tmp_path.iterdir()) == []


def test_reading_a_missing_file_gives_no_figure(tmp_path: Path) -> None:
    assert _report.read(tmp_path / "none.jsonl") == []


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (2_345_678.9, "/s", "2,345,679 /s"),
        (165.0, "ms", "165 ms"),
        (41.56, "ms", "41.6 ms"),
        (1.234, "s", "1.23 s"),
        (0.0, "errors", "0 errors"),
        (3.0, "errors", "3 errors"),
        (0.0004, "%", "4.00e-04 %"),
    ],
)
def test_numbers_are_shown_to_a_precision_that_suits_them(
    value: float, unit: str, text: str
) -> None:
    assert _report.number(value, unit) == text


def test_the_table_has_one_row_per_figure_with_target_and_verdict() -> None:
    figures = [
        Figure("search", "p95, worst viewer", 165.0, "ms", 100.0),
        Figure("markings", "decisions", 2.5e6, "/s", 1e6, AT_LEAST),
        Figure("markings", "cache", 9e5, "/s"),
    ]
    text = _report.table(iter(figures), "# Heading")
    lines = text.splitlines()
    assert lines[0] == "# Heading"
    assert lines[2] == "| benchmark | figure | measured | target | verdict |"
    assert lines[4] == "| search | p95, worst viewer | 165 ms | <= 100 ms | MISSED |"
    assert lines[5] == "| markings | decisions | 2,500,000 /s | >= 1,000,000 /s | pass |"
    assert lines[6] == "| markings | cache | 900,000 /s | - | - |"
    assert lines[-1] == "1 targets met, 1 missed, 1 without a target."


def test_python_m_bench_writes_the_figures_of_the_benchmarks_it_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bench.__main__ as runner

    ran = []

    def fake_run(name: str) -> None:  # what the benchmark's own process does
        ran.append(name)
        print("## markings (as printed by the benchmark)")
        _report.record("markings", "roll-up of 10,000 portions", 4.2, "ms", 10)

    monkeypatch.setattr(runner, "run_benchmark", fake_run)
    load = tmp_path / "load-figures.jsonl"
    load.write_text(
        json.dumps(
            {
                "bench": "load",
                "name": "errors",
                "value": 2,
                "unit": "errors",
                "target": 0,
                "compare": "<=",
            }
        )
        + "\n"
    )
    monkeypatch.setattr(_report, "LOAD_FIGURES", load)
    capacity = tmp_path / "capacity-figures.jsonl"
    figure = _report.Figure("load", "capacity: requests/s", 66.2, "/s", 30, _report.AT_LEAST)
    capacity.write_text(json.dumps(dataclasses.asdict(figure)) + "\n")
    monkeypatch.setattr(_report, "CAPACITY_FIGURES", capacity)
    output = tmp_path / "results.md"
    monkeypatch.setattr(sys, "argv", ["bench", "markings", "--output", str(output)])
    assert bench_main(["markings", "--output", str(output)]) == 0
    assert ran == ["markings"]
    assert sys.argv[1:] == ["markings", "--output", str(output)]
    text = output.read_text()
    assert "cores, Python" in text and "benchmarks run: markings." in text
    assert "| markings | roll-up of 10,000 portions | 4.20 ms | <= 10 ms | pass |" in text
    assert "| load | errors | 2 errors | <= 0 errors | MISSED |" in text
    assert "last `make load`" in text
    assert "| load | capacity: requests/s | 66.2 /s | >= 30 /s | pass |" in text
    assert "last `make load LOAD_ARGS=--capacity`" in text
    assert "## markings (as printed by the benchmark)" in capsys.readouterr().out
    assert _report.ENV not in os.environ


def test_a_subset_prints_its_table_but_writes_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bench.__main__ as runner

    monkeypatch.setattr(runner, "run_benchmark", lambda name: None)
    monkeypatch.setattr(_report, "LOAD_FIGURES", tmp_path / "none.jsonl")
    monkeypatch.setattr(_report, "CAPACITY_FIGURES", tmp_path / "none-either.jsonl")
    monkeypatch.setattr(runner, "RESULTS", tmp_path / "results.md")
    assert bench_main(["markings"]) == 0
    assert not (tmp_path / "results.md").exists()
    assert "0 targets met, 0 missed, 0 without a target." in capsys.readouterr().out


def test_each_benchmark_runs_in_a_process_of_its_own_and_reports_through_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real child process: its figure reaches the parent through ALLIED_BENCH_FIGURES, and its
    main() sees no argument of the runner's."""
    import bench.__main__ as runner

    package = tmp_path / "bench"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "_report.py").write_text(Path(_report.__file__).read_text())
    (package / "probe.py").write_text(
        "import os, sys\n"
        "from bench._report import record\n"
        "def main():\n"
        "    record('probe', f'arguments {len(sys.argv[1:])}', os.getpid(), 'pid')\n"
    )
    monkeypatch.setattr(runner, "HERE", package)
    figures = tmp_path / "figures.jsonl"
    monkeypatch.setenv(_report.ENV, str(figures))
    runner.run_benchmark("probe")
    [figure] = _report.read(figures)
    assert figure.name == "arguments 0"
    assert figure.value != os.getpid()
    (package / "probe.py").write_text("def main():\n    raise RuntimeError('broken')\n")
    with pytest.raises(SystemExit, match="benchmark probe failed"):
        runner.run_benchmark("probe")
