"""The weekly brief's PDF: whatever a partner typed cannot break it, each request and statement it
quotes carries its portion mark, its banner is the roll-up of what it shows, and the download is
an audited export."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from allied.core import audit
from allied.core.models import AuditEntry
from allied.core.pdf import text_of
from allied.working_group.tests.test_pages import client_for, freeform, statement

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PDF = "/working-group/brief/?format=pdf"


def brief_pdf(cast):
    response = client_for(cast["wg.member"]).get(PDF)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def joined(strings):
    """The drawn text with the breaks ReportLab made (line ends, broken words) taken out."""
    return re.sub(r"\s+", "", "".join(strings))


def pages_of(content):
    return len(re.findall(rb"/Type /Page\b(?!s)", content))


def test_one_unbroken_token_in_a_blocker_does_not_break_the_brief(cast):
    token = "Z" * 300
    freeform(cast, "KOR", "T" * 200, "UNCLASSIFIED//REL TO USA, KOR", days=200, blockers=token)
    statement(cast, "KOR", "state", "conditional", "Q" * 120, days=40)
    statement(cast, "KOR", "osd", "opposes", "Q" * 120, days=10)
    strings = text_of(brief_pdf(cast))
    assert token in joined(strings) and "T" * 200 in joined(strings)
    # Broken across lines of its cell, not drawn past the page.
    assert not any(token in s for s in strings)


def test_a_blocker_longer_than_a_page_continues_on_the_next_under_the_banner(cast):
    blockers = "\n".join(f"Blocker {n} " + "W" * 90 for n in range(120))
    freeform(cast, "KOR", "Long list (fictional)", "SECRET//REL TO USA, KOR", days=200,
             blockers=blockers)  # fmt: skip
    content = brief_pdf(cast)
    strings = text_of(content)
    assert "Blocker119" in joined(strings)
    pages = pages_of(content)
    assert pages > 1
    # Rule 18: the banner of a document of one SECRET REL TO portion; top and bottom of each page.
    assert strings.count("SECRET//REL TO USA, KOR") == 2 * pages


def test_each_quoted_item_carries_its_portion_mark_and_the_banner_is_their_roll_up(cast):
    freeform(cast, "PHL", "Blocked course (fictional)", "SECRET//REL TO USA, PHL", days=90,
             blockers="Instructor not confirmed")  # fmt: skip
    statement(cast, "PHL", "state", "conditional", days=40)
    statement(cast, "PHL", "indopacom", "supports", days=10,
              due=TODAY - datetime.timedelta(days=3), marking="CONFIDENTIAL//NOFORN")  # fmt: skip
    content = brief_pdf(cast)
    text = " ".join(" ".join(text_of(content)).split())
    # Rule 4: every quoted portion is marked, before its text.
    assert "(S//REL TO USA, PHL) Blocked course" in text
    assert "(S//NF) Department of State: Supports with conditions" in text
    assert "(C//NF) Indo-Pacific Command: Supports" in text  # a conflict
    assert "(C//NF) Radar: indopacom on Radar" in text  # the overdue commitment
    # Rules 18 and 24: SECRET from the highest portion, NOFORN over REL TO.
    strings = text_of(content)
    assert strings.count("SECRET//NOFORN") == 2 * pages_of(content)
    assert "UNCLASSIFIED" not in strings


def test_the_download_is_an_audited_export_of_what_it_quotes(cast):
    row = freeform(cast, "PHL", "Blocked course (fictional)", "SECRET//REL TO USA, PHL",
                   days=90, blockers="Instructor not confirmed")  # fmt: skip
    first = statement(cast, "PHL", "state", "conditional", days=40)
    second = statement(cast, "PHL", "indopacom", "supports", days=10)
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    brief_pdf(cast)
    entries = AuditEntry.objects.filter(id__gt=before or 0)
    export = entries.get(action="export")
    assert export.object_type == "working_group.brief" and export.marking == "SECRET//NOFORN"
    assert export.actor_name == "wg.member" and export.detail["format"] == "pdf"
    assert export.detail["requests"] == [f"working_group.freeformrequest:{row.pk}"]
    assert export.detail["statements"] == [
        f"working_group.guidancestatement:{first.pk}",
        f"working_group.guidancestatement:{second.pk}",
    ]
    reads = set(audit.objects_named(entries.filter(action="read")))
    assert ("working_group.freeformrequest", str(row.pk), "SECRET//REL TO USA, PHL") in reads
    assert ("working_group.guidancestatement", str(first.pk), "SECRET//NOFORN") in reads
    # The page is read, not exported.
    client_for(cast["wg.member"]).get("/working-group/brief/")
    assert AuditEntry.objects.filter(action="export").count() == 1


def test_a_statement_the_brief_does_not_quote_neither_raises_its_banner_nor_is_read(cast):
    freeform(cast, "PHL", "Blocked course (fictional)", "SECRET//REL TO USA, PHL", days=90,
             blockers="Instructor not confirmed")  # fmt: skip
    alone = statement(cast, "JPN", "state", "supports", "Shipbuilding", days=5,
                      marking="TOP SECRET//NOFORN")  # fmt: skip
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    content = brief_pdf(cast)
    # Rule 28: without a compilation reason the banner equals the roll-up of what is shown.
    strings = text_of(content)
    assert strings.count("SECRET//REL TO USA, PHL") == 2 * pages_of(content)
    assert not any("TOP SECRET" in s or "Shipbuilding" in s for s in strings)
    html = client_for(cast["wg.member"]).get("/working-group/guidance/conflicts/").content.decode()
    assert "TOP SECRET" not in html
    reads = AuditEntry.objects.filter(id__gt=before or 0, action="read")
    assert ("working_group.guidancestatement", str(alone.pk)) not in {
        (kind, i) for kind, i, _ in audit.objects_named(reads)
    }
