"""The ``allied marking`` command line: check, banner and release.

Exit codes: 0 success, 1 an invalid marking or a roll-up that cannot be done, 2 a usage error.
Results go to stdout, problems to stderr.
"""

from __future__ import annotations

import io
import json

import pytest

from allied.markings.cli import main


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def run_usage(capsys, *argv: str) -> tuple[int, str, str]:
    """Run a command line argparse rejects; its message may go to the process's stderr."""
    code, out, err = run(*argv)
    captured = capsys.readouterr()
    return code, out + captured.out, err + captured.err


# --- check ---


@pytest.mark.parametrize(
    "marking",
    [
        pytest.param("SECRET//NOFORN", id="rule-1-banner"),
        pytest.param("(S//REL TO USA, GBR)", id="rule-4-portion"),
        pytest.param("//JOINT SECRET CAN GBR USA//REL TO USA, CAN, GBR", id="rule-13-joint"),
    ],
)
def test_check_prints_a_valid_marking_and_exits_0(marking):
    assert run("check", marking) == (0, marking + "\n", "")


def test_check_prints_the_canonical_form_of_a_rule_5_spelled_out_banner():
    code, out, err = run("check", "SECRET//NOT RELEASABLE TO FOREIGN NATIONALS")
    assert (code, out, err) == (0, "SECRET//NOFORN\n", "")


INVALID = [
    pytest.param("SECRET//REL TO GBR, USA", "rule 8", "REL TO USA, GBR", id="rule-8-usa-first"),
    pytest.param("(S//REL TO USA, JAP)", "rule 8", "JPN", id="rule-8-unknown-code"),
    pytest.param("SECRET//REL TO USA,GBR", "policy P6", "REL TO USA, GBR", id="P6-comma"),
    pytest.param("SECRET//USA/GBR EYES ONLY", "policy P5", "REL TO USA, GBR", id="P5-eyes-only"),
    pytest.param("SECRET//NOFORN/ORCON", "rule 6", "ORCON/NOFORN", id="rule-6-dissem-order"),
    pytest.param("(S//NF/RELIDO)", "rule 14", "RELIDO", id="rule-14-nf-with-relido"),
]


@pytest.mark.parametrize(("marking", "rule", "hint"), INVALID)
def test_check_reports_an_invalid_marking_on_stderr_and_exits_1(marking, rule, hint):
    code, out, err = run("check", marking)
    assert code == 1
    assert out == ""
    assert repr(marking) in err
    assert rule in err
    assert hint in err


def test_check_json_describes_a_valid_rule_8_marking_and_exits_0():
    code, out, err = run("check", "--json", "(S//REL TO USA, FVEY)")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["marking"] == "(S//REL TO USA, FVEY)"
    assert data["form"] == "portion"
    assert data["valid"] is True
    assert data["canonical"] == "(S//REL TO USA, FVEY)"
    assert data["problems"] == []


def test_check_json_describes_each_p6_problem_and_exits_1():
    code, out, err = run("check", "--json", "SECRET//REL TO USA,GBR")
    assert (code, err) == (1, "")
    data = json.loads(out)
    assert data["form"] == "banner"
    assert data["valid"] is False
    assert data["canonical"] == "SECRET//REL TO USA, GBR"
    assert data["problems"] == [
        {
            "rule": "P6",
            "message": data["problems"][0]["message"],
            "token": "REL TO USA,GBR",
            "position": 8,
            "fix": "REL TO USA, GBR",
        }
    ]


def test_check_json_rejects_eyes_only_proposing_rel_to_p5():
    code, out, _ = run("check", "--json", "SECRET//USA/GBR EYES ONLY")
    data = json.loads(out)
    assert code == 1
    assert data["valid"] is False
    assert [p["rule"] for p in data["problems"]] == ["P5"]
    assert data["problems"][0]["fix"] == "REL TO USA, GBR"


def test_check_without_a_marking_is_a_usage_error(capsys):
    code, out, err = run_usage(capsys, "check")
    assert code == 2
    assert out == ""
    assert "usage" in err


# --- banner ---

BANNERS = [
    pytest.param(
        ("(S//REL TO USA, FVEY)", "(C)"), "SECRET//NOFORN", id="rule-24d-p152-rel-to-beside-c"
    ),
    pytest.param(
        ("(S//REL TO USA, FVEY)", "(C//REL TO USA, ISAF)"),
        "SECRET//NOFORN",
        id="rule-26-isaf-not-expanded",
    ),
    pytest.param(
        ("(S//REL TO USA, IRQ)", "(S//DISPLAY ONLY IRQ)"),
        "SECRET//DISPLAY ONLY IRQ",
        id="rule-24f-p166",
    ),
    pytest.param(
        ("(S//REL TO USA, JPN)", "(U//LES-NF)"), "SECRET//NOFORN//LES", id="rule-23-les-nf"
    ),
    pytest.param(("(U//FISA)", "(S//REL TO USA, GBR)"), "SECRET//NOFORN/FISA", id="rule-25-fisa"),
]


@pytest.mark.parametrize(("portions", "banner"), BANNERS)
def test_banner_prints_the_rolled_up_banner_and_exits_0(portions, banner):
    assert run("banner", *portions) == (0, banner + "\n", "")


def test_banner_resolves_rule_10_short_rel_against_the_given_banner():
    code, out, err = run("banner", "--with-banner", "SECRET//REL TO USA, FVEY", "(S//REL)", "(U)")
    assert (code, out, err) == (0, "SECRET//REL TO USA, FVEY\n", "")


def test_banner_cannot_roll_up_rule_10_short_rel_without_a_banner_and_exits_1():
    code, out, err = run("banner", "(S//REL)", "(U)")
    assert code == 1
    assert out == ""
    assert "rule 10" in err


def test_banner_rejects_a_banner_line_given_as_a_rule_4_portion_and_exits_1():
    code, out, err = run("banner", "SECRET//NOFORN")
    assert code == 1
    assert out == ""
    assert "rule 4" in err


def test_banner_rejects_a_rule_8_invalid_portion_and_exits_1():
    code, out, err = run("banner", "(S//REL TO GBR, USA)", "(C)")
    assert code == 1
    assert out == ""
    assert "rule 8" in err
    assert "REL TO USA, GBR" in err


def test_banner_reports_every_invalid_portion_rules_8_and_14():
    code, _, err = run("banner", "(S//REL TO GBR, USA)", "(S//NF/RELIDO)")
    assert code == 1
    assert "rule 8" in err
    assert "rule 14" in err


def test_banner_rejects_a_rule_9_invalid_with_banner_and_exits_1():
    code, out, err = run("banner", "--with-banner", "SECRET//REL TO USA", "(S//REL)")
    assert code == 1
    assert out == ""
    assert "rule 9" in err


def test_banner_without_portions_is_a_usage_error(capsys):
    code, out, err = run_usage(capsys, "banner")
    assert code == 2
    assert out == ""
    assert "usage" in err


# --- release ---


def test_it_hides_rule_24a_noforn_portion_from_japan_on_the_command_line():
    code, out, err = run("release", "--to", "JPN", "(S//REL TO USA, JPN)", "(S//NF)")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("1. (S//REL TO USA, JPN): releasable")
    assert lines[1].startswith("2. (S//NF): withheld")
    assert "document SECRET//NOFORN: not releasable to JPN" in lines
    assert "tearline for JPN: SECRET//REL TO USA, JPN" in lines


def test_release_shows_a_rule_24f_display_only_portion_as_display_only():
    code, out, _ = run("release", "--to", "IRQ", "(S//REL TO USA, IRQ)", "(S//DISPLAY ONLY IRQ)")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("1. (S//REL TO USA, IRQ): releasable")
    assert lines[1].startswith("2. (S//DISPLAY ONLY IRQ): display only")
    assert "tearline for IRQ: SECRET//DISPLAY ONLY IRQ" in lines


def test_release_withholds_a_portion_above_the_given_clearance_p8():
    code, out, _ = run(
        "release",
        "--to",
        "GBR",
        "--clearance",
        "S",
        "(TS//REL TO USA, GBR)",
        "(S//REL TO USA, GBR)",
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("1. (TS//REL TO USA, GBR): withheld")
    assert lines[1].startswith("2. (S//REL TO USA, GBR): releasable")
    assert "tearline for GBR: SECRET//REL TO USA, GBR" in lines


def test_release_accepts_a_spelled_out_clearance():
    code, out, _ = run("release", "--to", "GBR", "--clearance", "secret", "(TS//REL TO USA, GBR)")
    assert code == 0
    assert out.splitlines()[0].startswith("1. (TS//REL TO USA, GBR): withheld")


def test_release_counts_a_community_membership_p7():
    code, out, _ = run("release", "--to", "DEU", "--member-of", "NATO", "(S//REL TO USA, NATO)")
    assert code == 0
    assert out.splitlines()[0].startswith("1. (S//REL TO USA, NATO): releasable")


def test_release_without_the_membership_withholds_a_community_portion_p7():
    code, out, _ = run("release", "--to", "DEU", "(S//REL TO USA, NATO)")
    assert code == 0
    assert out.splitlines()[0].startswith("1. (S//REL TO USA, NATO): withheld")
    assert "tearline for DEU: (nothing releasable)" in out.splitlines()


def test_release_json_gives_portions_and_p8_tearline():
    code, out, err = run(
        "release",
        "--to",
        "GBR",
        "--json",
        "(S//REL TO USA, GBR)",
        "(S//NF)",
        "(C//REL TO USA, FVEY)",
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["nation"] == "GBR"
    assert data["banner"] == "SECRET//NOFORN"
    assert data["releasable"] is False
    assert [p["portion"] for p in data["portions"]] == [
        "(S//REL TO USA, GBR)",
        "(S//NF)",
        "(C//REL TO USA, FVEY)",
    ]
    assert [p["releasable"] for p in data["portions"]] == [True, False, True]
    assert [p["in_tearline"] for p in data["portions"]] == [True, False, True]
    assert data["tearline"]["portions"] == [0, 2]
    assert data["tearline"]["banner"] == "SECRET//REL TO USA, GBR"
    assert data["tearline"]["view_only"] is False


def test_release_json_marks_a_rule_24f_display_only_tearline_view_only():
    code, out, _ = run("release", "--to", "IRQ", "--json", "(S//DISPLAY ONLY IRQ)")
    data = json.loads(out)
    assert code == 0
    assert data["portions"][0]["viewable"] is True
    assert data["portions"][0]["releasable"] is False
    assert data["tearline"] == {
        "portions": [0],
        "banner": "SECRET//DISPLAY ONLY IRQ",
        "view_only": True,
    }


def test_release_rejects_a_rule_8_invalid_portion_and_exits_1():
    code, out, err = run("release", "--to", "GBR", "(S//REL TO USA, JAP)")
    assert code == 1
    assert out == ""
    assert "rule 8" in err
    assert "JPN" in err


def test_release_of_rule_10_short_rel_without_a_banner_exits_1():
    code, out, err = run("release", "--to", "GBR", "(S//REL)")
    assert code == 1
    assert out == ""
    assert "rule 10" in err


def test_release_resolves_rule_10_short_rel_with_the_given_banner():
    code, out, _ = run(
        "release", "--to", "GBR", "--with-banner", "SECRET//REL TO USA, FVEY", "(S//REL)"
    )
    assert code == 0
    assert out.splitlines()[0].startswith("1. (S//REL TO USA, FVEY): releasable")


USAGE = [
    pytest.param(("release", "(S//REL TO USA, GBR)"), "--to", id="missing-to"),
    pytest.param(("release", "--to", "JAP", "(S)"), "JPN", id="unknown-nation-suggests-jpn"),
    pytest.param(("release", "--to", "NATO", "(S)"), "NATO", id="a-community-is-not-a-nation"),
    pytest.param(("release", "--to", "GBR", "--clearance", "Z", "(S)"), "Z", id="bad-clearance"),
    pytest.param(("release", "--to", "GBR"), "PORTION", id="no-portion"),
    pytest.param(("classify", "SECRET"), "classify", id="unknown-command"),
    pytest.param((), "usage", id="no-command"),
]


@pytest.mark.parametrize(("argv", "hint"), USAGE)
def test_a_usage_error_exits_2_with_a_message(capsys, argv, hint):
    code, out, err = run_usage(capsys, *argv)
    assert code == 2
    assert out == ""
    assert hint in err


def test_a_usage_error_is_written_to_the_err_stream_given_to_main(capsys):
    code, _, err = run("release", "--to", "JAP", "(S)")
    capsys.readouterr()
    assert code == 2
    assert "JPN" in err


def test_help_exits_0(capsys):
    code, out, _ = run_usage(capsys, "--help")
    assert code == 0
    assert "check" in out and "banner" in out and "release" in out


def test_check_notes_the_obsolete_fouo_with_its_cui_replacement_and_exits_0():
    """Rule 30: FOUO still parses (legacy records), and the check names its replacement."""
    code, out, err = run("check", "(U//FOUO)")
    assert (code, out.strip()) == (0, "(U//FOUO)")
    assert "FOUO is obsolete" in err and "did you mean (CUI)?" in err
    code, out, err = run("check", "CUI//SP-CTI//NOFORN")
    assert (code, out.strip(), err) == (0, "CUI//SP-CTI//NOFORN", "")
