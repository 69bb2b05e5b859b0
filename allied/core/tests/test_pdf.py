"""The shared PDF building blocks: long words break in their cell, a row taller than a page goes
on, and the banner always fits between the margins."""

from __future__ import annotations

import io

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import SimpleDocTemplate

from allied.core import pdf


def build(story, banner=""):
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4)

    def draw(canvas, _doc):
        if banner:
            pdf.draw_banner(canvas, banner, page_width=A4[0], margin=40, top=A4[1] - 20,
                            bottom=20)  # fmt: skip

    doc.build(story(doc), onFirstPage=draw, onLaterPages=draw)
    return out.getvalue()


def test_a_table_of_unbroken_tokens_in_every_column_is_laid_out():
    body = pdf.styles()["BodyText"]
    tokens = [c * 400 for c in "ABCDE"]
    content = build(
        lambda doc: [
            pdf.table(list("12345"), [tokens], width=doc.width, shares=[1] * 5, style=body)
        ]
    )
    drawn = "".join(pdf.text_of(content))
    assert all(token in drawn for token in tokens)


def test_a_row_taller_than_a_page_continues_on_the_next():
    body = pdf.styles()["BodyText"]
    content = build(
        lambda doc: [
            pdf.table(["Text"], [["word " * 6000]], width=doc.width, shares=[1], style=body)
        ]
    )
    assert content.count(b"/Type /Page\n") > 1


def test_text_is_plain_text_with_its_portion_mark_before_it():
    body = pdf.styles()["BodyText"]
    content = build(lambda doc: [pdf.paragraph("<b>not markup</b> & (x)", body, portion="(U)")])
    assert "".join("".join(pdf.text_of(content)).split()) == "(U)<b>notmarkup</b>&(x)"


@pytest.mark.parametrize(
    "banner",
    [
        "SECRET//NOFORN",
        "TOP SECRET//SI-G ABCD DEFG-MMM AACD/TK//REL TO USA, AUS, CAN, GBR, IND, JPN, KOR, NZL, "
        "PHL, SGP, THA, VNM",
        "SECRET//REL TO USA, " + ", ".join(f"X{n:02d}" for n in range(60)),
        "S" * 300,
    ],
)
def test_the_banner_fits_between_the_margins_and_loses_nothing(banner):
    width = A4[0] - 2 * 40
    lines, size = pdf.banner_lines(banner, width)
    assert all(stringWidth(line, pdf.BANNER_FONT, size) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == banner.replace(" ", "")
    drawn = pdf.text_of(build(lambda doc: [pdf.paragraph("x", pdf.styles()["BodyText"])], banner))
    assert sorted(s for s in drawn if s != "x") == sorted(lines * 2)  # at the top and the bottom
