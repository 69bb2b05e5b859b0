"""The README's `allied marking` examples are what the commands really print."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest

from allied.markings.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"


def examples() -> list[tuple[str, str]]:
    blocks = re.findall(r"```console\n(.*?)```", README.read_text(), flags=re.S)
    found: list[tuple[str, str]] = []
    for block in blocks:
        command: str | None = None
        output: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    found.append((command, "\n".join(output)))
                command, output = line[2:], []
            else:
                output.append(line)
        if command is not None:
            found.append((command, "\n".join(output)))
    return [(c, o) for c, o in found if c.startswith("allied marking ")]


def test_the_readme_has_an_example_of_each_marking_command():
    commands = {shlex.split(c)[2] for c, _ in examples()}
    assert commands == {"check", "banner", "release"}


@pytest.mark.parametrize(("command", "expected"), examples(), ids=lambda v: v[:60])
def test_the_readme_example_prints_what_the_command_prints(command, expected):
    out, err = io.StringIO(), io.StringIO()
    main(shlex.split(command)[2:], out=out, err=err)
    assert (out.getvalue() + err.getvalue()).rstrip("\n") == expected
