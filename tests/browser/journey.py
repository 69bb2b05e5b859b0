"""One person's way through the pages, step by step: each step is screenshotted and checked.

A step is a page as the person sees it. Every step is saved as
``artifacts/screenshots/<journey>/NN-<step>.png`` and checked with axe-core: any violation of
impact "serious" or "critical" fails the journey, naming the rule, its help and the elements.
A step also fails on a script error in the page and on any request to another host than the
live server (Allied works offline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page, Response

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
FAILING_IMPACTS = ("serious", "critical")
# The WCAG 2 A and AA rules: every rule whose violations can be serious or critical. Axe's
# best-practice rules (landmarks, heading order) are moderate at most, and the slowest to run.
AXE_RUN = """axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    resultTypes: ["violations"],
})"""
# True once the page has the USWDS stylesheet with its rules (not an empty or missing file).
STYLED = """[...document.styleSheets].some(
    (sheet) => (sheet.href || "").includes("/uswds") && sheet.cssRules.length > 1000)"""


@dataclass(frozen=True)
class Site:
    """The live server and the demo records a journey needs by id (found before the browser
    starts: the pages a journey walks through find the rest)."""

    url: str
    facts: dict[str, Any]

    @staticmethod
    def facts_of_demo() -> dict[str, Any]:
        from allied.arms.models import Case
        from allied.core.models.marked import system_access

        with system_access("browser tests: demo records to aim at"):
            cases = Case.objects.all().order_by("pk")
            return {
                "phl_case": cases.filter(partner_id="PHL").values_list("pk", flat=True).first(),
                "jpn_case": cases.filter(partner_id="JPN").values_list("pk", flat=True).first(),
            }


def axe_report(violations: list[dict[str, Any]]) -> str:
    """Each failing violation as its rule, impact, help and offending elements."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}: {node['html'][:160]}")
    return "\n".join(lines)


@dataclass
class Journey:
    page: Page
    site: Site
    folder: Path
    steps: int = 0
    errors: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        host = urlsplit(self.site.url).netloc
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on(
            "request",
            lambda request: (
                None
                if urlsplit(request.url).netloc == host or request.url.startswith("data:")
                else self.elsewhere.append(request.url)
            ),
        )

    # --- moving --------------------------------------------------------------------------------

    def open(self, path: str, step: str, *, status: int = 200) -> Response:
        """Go to ``path`` as the person would by typing it, and check the page as a step."""
        response = self.page.goto(self.site.url + path)
        assert response is not None, path
        self.check(step, status=response.status, expected=status)
        return response

    def follow(self, link: Locator, step: str) -> None:
        """Click a link or a submit button that loads a new page, and check that page."""
        with self.page.expect_navigation() as navigation:
            link.click()
        response = navigation.value
        assert response is not None, self.page.url
        self.check(step, status=response.status, expected=200)

    def sign_in(self, username: str, password: str, *, then: str, step: str) -> None:
        """Sign in through the login page, as a person types it, on the way to ``then`` (as when
        a link is followed while signed out): that page is the next step."""
        self.page.context.clear_cookies()
        self.open(f"/login/?{urlencode({'next': then})}", f"sign in as {username}")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.follow(self.page.get_by_role("button", name="Sign in"), step)
        assert self.page.locator(".allied-nav__user").inner_text() == username
        assert urlsplit(self.page.url).path == urlsplit(then).path, self.page.url

    def choose(self, label: str, *, exact: bool = False) -> None:
        """Tick a USWDS checkbox or radio button by clicking its label, as a person does (USWDS
        draws the box on the label and moves the input itself out of sight)."""
        choice = self.page.get_by_label(label, exact=exact)
        if not choice.is_checked():
            self.page.locator(f"label[for='{choice.get_attribute('id')}']").click()
        assert choice.is_checked(), label

    # --- checking ------------------------------------------------------------------------------

    def check(self, step: str, *, status: int | None = None, expected: int = 200) -> None:
        """Screenshot the page, then fail on an unexpected HTTP status, serious or critical
        accessibility violations, script errors or requests to other hosts."""
        self.page.wait_for_load_state("load")
        self.steps += 1
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        self.page.screenshot(path=self.folder / f"{self.steps:02d}-{slug}.png")
        where = f"step {self.steps} ({step}) at {self.page.url}"
        if status is not None:
            assert status == expected, (
                f"{where}: answered {status}, not {expected}:\n"
                + self.page.inner_text("body")[:2000]
            )
        assert not self.errors, f"{where}: script errors: {self.errors}"
        assert not self.elsewhere, f"{where}: requests to other hosts: {self.elsewhere}"
        if status in (None, 200):  # Django's own error pages are plain
            assert self.page.evaluate(STYLED), f"{where}: the USWDS styles did not load"
        result = self.page.evaluate(AXE_RUN)
        failing = [v for v in result["violations"] if v["impact"] in FAILING_IMPACTS]
        assert not failing, f"{where}: accessibility violations:\n{axe_report(failing)}"

    def text(self) -> str:
        """What the person can read in the page's main region."""
        return self.page.locator("main").inner_text()
