"""Building blocks of every PDF Allied generates (ReportLab), so that no text can break one.

Whatever a user typed ends up in a cell of fixed width: a table without column widths sizes each
column to its longest word, and one unbroken token of a few hundred characters left the other
columns a negative width (ReportLab's ``ValueError``, a server error for every reader of the
document). Here columns share the frame's width, words longer than their cell are broken
(``splitLongWords``), a row taller than a page continues on the next (``splitInRow``), and the
banner is drawn on as many lines as it needs, never off the page.
"""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Iterator, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Table, TableStyle

BANNER_FONT = "Helvetica-Bold"
BANNER_SIZE = 9
BANNER_MIN_SIZE = 6


def styles() -> StyleSheet1:
    """The sample style sheet, with every style breaking a word wider than its frame."""
    sheet = getSampleStyleSheet()
    for name in sheet.byName:
        style = sheet[name]
        if isinstance(style, ParagraphStyle):
            style.splitLongWords = 1
    return sheet


def paragraph(text: str, style: ParagraphStyle, *, portion: str = "") -> Paragraph:
    """``text`` as plain text (never ReportLab markup), after its portion mark when it has one."""
    body = escape(text)
    if portion:
        body = f"<b>{escape(portion)}</b> {body}"
    return Paragraph(body, style)


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    width: float,
    shares: Sequence[float],
    style: ParagraphStyle,
) -> Table:
    """A table ``width`` wide, its columns in proportion to ``shares``; a cell is a string (set
    as a paragraph) or a flowable already made (a paragraph with its portion mark)."""
    if len(shares) != len(header):
        raise ValueError("one share of the width per column")
    total = float(sum(shares))
    widths = [width * share / total for share in shares]

    def cell(value: Any) -> Any:
        return value if isinstance(value, Paragraph) else paragraph(str(value), style)

    data = [[cell(h) for h in header]] + [[cell(c) for c in row] for row in rows]
    made = Table(data, colWidths=widths, repeatRows=1, splitInRow=1)
    made.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return made


def banner_lines(text: str, width: float) -> tuple[list[str], float]:
    """The banner as lines that fit ``width``, and the font size: smaller before it wraps."""
    size = float(BANNER_SIZE)
    while size > BANNER_MIN_SIZE and stringWidth(text, BANNER_FONT, size) > width:
        size -= 0.5
    if stringWidth(text, BANNER_FONT, size) <= width:
        return [text], size
    lines: list[str] = []
    for line in simpleSplit(text, BANNER_FONT, size, width):
        # simpleSplit keeps a word longer than the line whole: cut it where it overflows.
        while stringWidth(line, BANNER_FONT, size) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and stringWidth(line[:cut], BANNER_FONT, size) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return lines, size


def draw_banner(canvas: Any, text: str, *, page_width: float, margin: float, top: float,
                bottom: float) -> None:  # fmt: skip
    """The banner centred at the top (its first line at ``top``) and the bottom (its last line at
    ``bottom``) of the page, all of it within the margins."""
    lines, size = banner_lines(text, page_width - 2 * margin)
    leading = size * 1.2
    canvas.saveState()
    canvas.setFont(BANNER_FONT, size)
    for index, line in enumerate(lines):
        canvas.drawCentredString(page_width / 2, top - index * leading, line)
        canvas.drawCentredString(page_width / 2, bottom + (len(lines) - 1 - index) * leading, line)
    canvas.restoreState()


# --- reading one back -----------------------------------------------------------------------

_STREAM = re.compile(rb"(?<!end)stream\r?\n(.*?)\r?\n?endstream", re.S)
_SHOWN = re.compile(rb"\(((?:\\.|[^\\)])*)\)\s*Tj")
_ESCAPE = re.compile(rb"\\([nrtbf()\\]|[0-7]{1,3})")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _streams(data: bytes) -> Iterator[bytes]:
    """The decoded streams of ``data`` (ReportLab's filters: ASCII85, then Flate)."""
    for match in _STREAM.finditer(data):
        head = data[max(0, match.start() - 300) : match.start()]
        head = head[head.rfind(b"<<") :]
        raw = match.group(1)
        try:
            if b"ASCII85Decode" in head:
                raw = base64.a85decode(raw.strip(), adobe=True)
            if b"FlateDecode" in head:
                raw = zlib.decompress(raw)
        except (ValueError, zlib.error):
            continue
        yield raw


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    if code.isdigit():
        return bytes([int(code, 8) & 0xFF])
    return _ESCAPES.get(code, code)


def text_of(data: bytes) -> list[str]:
    """Every string a PDF that ReportLab made draws, in order: for tests, and for the checks
    that look for text an export must not carry (a PDF's content streams are compressed)."""
    return [
        _ESCAPE.sub(_unescape, shown).decode("latin-1")
        for stream in _streams(data)
        for shown in _SHOWN.findall(stream)
    ]


__all__ = ["banner_lines", "draw_banner", "paragraph", "styles", "table", "text_of"]
