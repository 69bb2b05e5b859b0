"""One idiom per job: the edit kit's jobs are done by the kit, in every app.

Each of these was once written again in each app, and the copies had begun to disagree (see
``docs/style.md``). A new copy fails here, naming the file and line, so the next feature reaches
for the kit instead: ``allied.core.edit`` for writes, versions and 404s, ``vocabulary.explain``
for a marking typed by a person.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ALLIED = Path(__file__).resolve().parents[2] / "allied"

#: The kit's own modules: the only places allowed to do its jobs by hand.
KIT = {
    "core/edit.py",
    "core/api/errors.py",
    "core/vocabulary.py",
    "core/models/marked.py",
}


def _sources() -> list[tuple[str, str]]:
    found = []
    for path in sorted(ALLIED.rglob("*.py")):
        name = path.relative_to(ALLIED).as_posix()
        if "/tests/" in f"/{name}" or "/migrations/" in name or name.startswith("markings/"):
            continue
        if name in KIT:
            continue
        found.append((name, path.read_text()))
    return found


SOURCES = _sources()


def _lines(pattern: str) -> list[str]:
    regex = re.compile(pattern)
    return [
        f"{name}:{number}: {line.strip()}"
        for name, text in SOURCES
        for number, line in enumerate(text.splitlines(), 1)
        if regex.search(line)
    ]


def test_the_sources_are_found():
    names = {name for name, _ in SOURCES}
    assert {"intel/views/products.py", "arms/cases.py", "planning/authoring.py"} <= names


@pytest.mark.parametrize(
    ("job", "pattern", "use"),
    [
        ("explain a refused write", r"except\s+\(?[\w.,\s]*NotVisibleAfterWrite",
         "explained_on(form) on a page; nothing in the API (its exception handler answers)"),
        ("answer 404 by hand", r"raise\s+Http404\(",
         "visible_or_404(rows, pk=pk) or not_found()"),
        ("compare-and-set a version by hand", r"\.update\(.*\bversion\s*=",
         "claim_version(rows, pk, opened, what=...)"),
        ("check a typed marking by hand", r"canonical form: \{",
         "vocabulary.explain(text, form=...)"),
    ],
)  # fmt: skip
def test_no_app_does_the_kits_job_by_hand(job, pattern, use):
    found = _lines(pattern)
    assert not found, f"{job}: use {use} instead:\n" + "\n".join(found)


def test_no_app_defines_its_own_stale_version_error():
    own = []
    for name, text in SOURCES:
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and re.fullmatch(r"Stale\w*|\w*Conflict", node.name):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                if bases & {"Exception", "ValueError", "RuntimeError", "DisclosureError"}:
                    own.append(f"{name}:{node.lineno}: class {node.name}")
    assert not own, "raise allied.core.edit.StaleVersion instead:\n" + "\n".join(own)
