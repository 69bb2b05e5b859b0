"""Intelligence sharing in a browser: an author writes a NOFORN product, the disclosure officer
releases a sanitised tearline to Japan, and Japan's liaison officer reads that tearline and
nothing of the NOFORN portions."""

from __future__ import annotations

from datetime import date

import pytest

from allied.core.management.commands.demo import DEMO_PASSWORD
from tests.browser.journey import Journey

pytestmark = pytest.mark.browser

TITLE = "Harbour works at the northern naval base (browser journey)"
NOFORN_TEXT = "Source description for U.S. eyes only: a dockyard contractor's ledger."
ASKED_TEXT = "Assessment: two new piers will take destroyers by spring, per the ledger."
TEARLINE_TEXT = "Two new piers at the northern naval base are likely to take destroyers."


def write_product(journey: Journey) -> None:
    page = journey.page
    journey.follow(page.get_by_role("link", name="Write a product"), "product form")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_originator_agency").fill("Defense Intelligence Agency")
    page.locator("#id_topics").fill("Naval infrastructure")
    page.locator("#id_regions").fill("East China Sea")
    page.locator("#id_marking").fill("SECRET//NOFORN")
    # A classified product carries its classification authority block (EO 13526 sec. 1.6).
    page.locator("#id_classified_by").fill("T. Analyst, Senior Analyst (fictional)")
    page.locator("#id_derived_from").fill("Multiple Sources")
    page.locator("#id_declassify_on").fill(f"{date.today().year + 10}-12-31")
    portions = [(1, "(S//NF)", NOFORN_TEXT), (2, "(S//NF)", ASKED_TEXT)]
    for row, (order, mark, text) in enumerate(portions):
        page.locator(f"#id_portions-{row}-section").fill("0")
        page.locator(f"#id_portions-{row}-order").fill(str(order))
        page.locator(f"#id_portions-{row}-mark").fill(mark)
        page.locator(f"#id_portions-{row}-text").fill(text)
    # A mistyped country code is caught as it is typed, with its fix.
    mark, check = page.locator("#id_portions-1-mark"), page.locator("#mark-check-1")
    mark.fill("(S//REL TO USA, JAP)")
    check.get_by_text("did you mean JPN?").wait_for()
    journey.check("mark checked as typed")
    mark.fill("(S//NF)")
    check.get_by_text("did you mean JPN?").wait_for(state="detached")
    journey.follow(page.get_by_role("button", name="Save", exact=True), "product saved")
    assert "Product saved." in journey.text()
    assert NOFORN_TEXT in journey.text() and ASKED_TEXT in journey.text()


def ask_release_to_japan(journey: Journey) -> None:
    page = journey.page
    journey.follow(page.get_by_role("link", name="Request release to a partner"), "ask release")
    journey.choose(ASKED_TEXT)
    page.get_by_label("Partner").select_option("JPN")
    page.get_by_label("Purpose").fill("Japan's maritime staff plan the port visit in the spring.")
    journey.follow(
        page.get_by_role("button", name="Send to the disclosure officers"), "release asked"
    )
    assert "Request sent to the disclosure officers." in journey.text()


def decide_release(journey: Journey) -> None:
    page = journey.page
    row = page.get_by_role("row").filter(has_text=TITLE)
    journey.follow(row.get_by_role("link", name="Decide"), "decision form")
    assert "Effective ceiling" in journey.text()
    journey.choose("Approve with sanitisation")
    page.get_by_label("Releasable text").fill(TEARLINE_TEXT)
    page.get_by_label("Its portion mark").fill("(S//REL TO USA, JPN)")
    journey.choose("Also release the product's title and metadata to the partner")
    journey.follow(page.get_by_role("button", name="Record the decision"), "decision recorded")
    assert "Decision 1 recorded: Approve with sanitisation" in journey.text()


def read_as_japan(journey: Journey) -> None:
    page = journey.page
    journey.follow(page.get_by_role("link", name=TITLE), "product as Japan")
    assert TEARLINE_TEXT in journey.text()
    assert page.get_by_test_id("tearline-banner").inner_text() == "SECRET//REL TO USA, JPN"
    html = page.content()
    assert NOFORN_TEXT not in html and ASKED_TEXT not in html and "NF)" not in html
    assert "NOFORN" not in page.locator(".allied-banner--top").inner_text()


def test_author_writes_officer_releases_japan_reads_its_tearline(journey: Journey) -> None:
    journey.sign_in("us.analyst", DEMO_PASSWORD, then="/intel/products/", step="products")
    write_product(journey)
    ask_release_to_japan(journey)
    journey.sign_in("us.fdo", DEMO_PASSWORD, then="/intel/disclosure/", step="queue")
    decide_release(journey)
    journey.sign_in("jpn.liaison", DEMO_PASSWORD, then="/intel/products/", step="products as Japan")
    read_as_japan(journey)
