"""``allied arms notification`` as a user types it: JSON shape and exit codes."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from allied.arms.cli import main


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            code = main(list(argv), out, err)
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_json_has_required_review_days_and_basis():
    code, out, _ = run(
        "notification",
        "--partner",
        "KOR",
        "--channel",
        "fms",
        "--mde",
        "20M",
        "--total",
        "30M",
        "--date",
        "2008-10-14",
        "--json",
    )
    body = json.loads(out)
    assert code == 0
    assert body["required"] is True and body["review_days"] == 30
    assert isinstance(body["basis"], list) and body["basis"]


def test_korea_after_its_group_change_needs_no_notification_at_20m():
    code, out, _ = run(
        "notification",
        "--partner",
        "kor",
        "--channel",
        "fms",
        "--mde",
        "20000000",
        "--date",
        "2008-10-15",
        "--json",
    )
    assert code == 0 and json.loads(out)["required"] is False
    assert json.loads(out)["review_days"] == 0


def test_the_date_defaults_to_today():
    code, out, _ = run(
        "notification",
        "--partner",
        "PHL",
        "--channel",
        "dcs",
        "--total",
        "2M",
        "--usml-category",
        "I(a)",
        "--json",
    )
    assert code == 0 and json.loads(out)["required"] is True


@pytest.mark.parametrize(
    "argv,field",
    [
        (["--partner", "XYZ", "--channel", "fms"], "--partner"),
        (["--partner", "JPN", "--channel", "sea"], "--channel"),
        (["--partner", "JPN", "--channel", "fms", "--mde", "lots"], "--mde"),
        (["--partner", "JPN", "--channel", "fms", "--date", "2024-02-30"], "--date"),
        (["--partner", "JPN", "--channel", "fms", "--date", "1990-01-01"], "--date"),
        (["--partner", "JPN", "--channel", "dcs", "--usml-category", "XXX"], "--usml-category"),
        (["--channel", "fms"], "--partner"),
    ],
)
def test_bad_input_exits_2_naming_the_field(argv, field):
    code, out, err = run("notification", *argv)
    assert code == 2 and out == "" and field in err


def test_the_text_output_says_the_verdict_first():
    code, out, _ = run("notification", "--partner", "JPN", "--channel", "fms", "--mde", "30M")
    assert code == 0 and out.startswith("Formal notification: REQUIRED\nReview period: 15 days")
