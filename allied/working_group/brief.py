"""The weekly brief: the state of cooperation with each partner, the most blocked requests,
conflicting guidance, overdue commitments and charts; as a page and as a PDF.

Composed once from what the member may see (every request and statement in it is recorded as
shown), so the page and the PDF carry the same content under the same banner: the roll-up of
everything in the brief.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.http import HttpRequest

from allied.core.charts import Chart, Column, bar
from allied.core.models import Nation
from allied.core.queue import show_items
from allied.core.restricted import shown, viewer_of
from allied.markings import render as render_marking
from allied.working_group.guidance import ShownConflict, visible_conflicts, visible_overdue
from allied.working_group.models import GuidanceStatement
from allied.working_group.ranking import KIND_LABELS, Ranked, most_blocked, summary

MOST_BLOCKED = 10


@dataclass(frozen=True)
class PartnerState:
    nation: str
    name: str
    open: int
    escalated: int
    oldest_days: int
    by_kind: dict[str, int]


@dataclass
class Brief:
    day: date
    partners: list[PartnerState]
    most_blocked: list[Ranked]
    conflicts: list[ShownConflict]
    overdue: list[tuple[GuidanceStatement, int]]
    charts: list[Chart] = field(default_factory=list)
    banner: str = "UNCLASSIFIED"

    @property
    def total_open(self) -> int:
        return sum(p.open for p in self.partners)

    @property
    def total_escalated(self) -> int:
        return sum(p.escalated for p in self.partners)

    def quoted(self) -> dict[str, list[str]]:
        """The keys of the requests and statements the brief quotes, for its export entry."""
        statements = {c.first.pk for c in self.conflicts} | {c.second.pk for c in self.conflicts}
        statements |= {s.pk for s, _ in self.overdue}
        return {
            "requests": [r.item.key for r in self.most_blocked],
            "statements": [f"working_group.guidancestatement:{pk}" for pk in sorted(statements)],
        }


# --- the cache ----------------------------------------------------------------------------------

#: Seconds a composed brief is reused for. Writes in this process invalidate it at once (the
#: generation below); a write made in another worker process, or by a queryset ``update()`` that
#: sends no signal, shows within this many seconds.
CACHE_SECONDS = 60
_GENERATION_KEY = "allied:brief:generation"


def viewer_class(viewer: Any, day: date) -> str:
    """The cache key part that says what ``viewer`` may see: a digest of the markings it may see
    (or, exporting, export) on ``day``, with the export flag and its nation.

    Two viewers share a brief only if every marked row is visible to both or to neither (the
    brief is computed from restricted querysets only) and they are of the same nation (a source
    may also look at the viewer's nation: a partner sees its own nation's cases). The key holds
    nothing else of the viewer, and a different class can never read another's entry: the
    digest is over the exact sorted ids.
    """
    import hashlib

    from allied.core.models.marked import visible_marking_ids
    from allied.markings.access import compile_viewer

    export = bool(getattr(viewer, "exporting", False))
    ids = visible_marking_ids(compile_viewer(viewer, day), export=export)
    text = f"{day.isoformat()}|{int(export)}|{viewer.nation}|"
    text += ",".join(str(i) for i in sorted(ids))
    return hashlib.sha256(text.encode()).hexdigest()


def _generation() -> int:
    from django.core.cache import cache

    return int(cache.get_or_set(_GENERATION_KEY, 1, None) or 1)


def invalidate(*_: Any, **__: Any) -> None:
    """Forget every cached brief (a marked row was written, so any brief may have changed)."""
    from django.core.cache import cache

    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:
        cache.set(_GENERATION_KEY, 2, None)


def connect_invalidation() -> None:
    """Invalidate on every write or delete of a marked row (the brief's inputs: requests of every
    source, statements, partner weights) or of a request type's target and weight."""
    from django.db.models.signals import post_delete, post_save

    from allied.core.models.marked import MarkedModel
    from allied.working_group.models import RequestKind

    def on_write(sender: Any, **kwargs: Any) -> None:
        if isinstance(sender, type) and issubclass(sender, (MarkedModel, RequestKind)):
            invalidate()

    post_save.connect(on_write, weak=False, dispatch_uid="allied.brief.invalidate.save")
    post_delete.connect(on_write, weak=False, dispatch_uid="allied.brief.invalidate.delete")


def compose(request: HttpRequest, day: date) -> Brief:
    """The brief for the signed-in member, reused for viewers of the same class.

    Composing it costs the queue's summary and ranking over every open request; its content
    depends only on what the viewer may see (``viewer_class``), so it is cached per class for
    ``CACHE_SECONDS`` and until a marked row is written. A cached brief is still recorded as
    shown to this viewer: each request and statement it quotes is an audited read and joins the
    page's banner, exactly as when it is composed.
    """
    from django.core.cache import cache

    from allied.core.restricted import show

    viewer = viewer_of(request)
    key = f"allied:brief:{_generation()}:{viewer_class(viewer, day)}"
    cached = cache.get(key)
    if isinstance(cached, Brief):
        show_items(request, [r.item for r in cached.most_blocked])
        show(request, [st for c in cached.conflicts for st in (c.first, c.second)])
        show(request, [st for st, _ in cached.overdue])
        cached.banner = render_marking(shown(request).banner(viewer), "banner")
        return cached
    brief = _compose(request, day)
    cache.set(key, brief, CACHE_SECONDS)
    return brief


def _compose(request: HttpRequest, day: date) -> Brief:
    """The brief's content for the signed-in member: counts per partner and type computed in the
    database over the requests they may see; the requests and statements shown are recorded."""
    viewer = viewer_of(request)
    counts, _ = summary(viewer, day)
    names = dict(Nation.objects.values_list("iso3", "name"))
    grouped: dict[str, list[tuple[str, tuple[int, int, int]]]] = {}
    for (nation, kind), numbers in counts.items():
        grouped.setdefault(nation, []).append((kind, numbers))
    partners = [
        PartnerState(
            nation,
            names.get(nation, nation),
            sum(n for _, (n, _, _) in rows),
            sum(late for _, (_, late, _) in rows),
            max(oldest for _, (_, _, oldest) in rows),
            {KIND_LABELS.get(kind, kind): n for kind, (n, _, _) in sorted(rows)},
        )
        for nation, rows in grouped.items()
    ]
    partners.sort(key=lambda p: (-p.open, p.nation))
    blocked = most_blocked(viewer, day, MOST_BLOCKED)
    show_items(request, [r.item for r in blocked])
    brief = Brief(
        day,
        partners,
        blocked,
        visible_conflicts(request, day),
        visible_overdue(request, day),
    )
    brief.charts = charts(brief)
    brief.banner = render_marking(shown(request).banner(viewer), "banner")
    return brief


def charts(brief: Brief) -> list[Chart]:
    rows = [
        {"partner": p.name, "type": kind, "requests": n}
        for p in brief.partners
        for kind, n in sorted(p.by_kind.items())
    ]
    by_partner = bar(
        "open-by-partner",
        "Open requests by partner and type",
        "Open allied requests per partner, stacked by type",
        rows,
        category=Column("partner", "Partner"),
        value=Column("requests", "Open requests"),
        colour=Column("type", "Type"),
    )
    escalated = bar(
        "escalated-by-partner",
        "Requests past their target",
        "Escalated requests (past their target) per partner",
        [{"partner": p.name, "escalated": p.escalated} for p in brief.partners if p.escalated],
        category=Column("partner", "Partner"),
        value=Column("escalated", "Past target"),
    )
    return [by_partner, escalated]


# --- PDF ----------------------------------------------------------------------------------------


def render_pdf(brief: Brief) -> bytes:
    """The brief as a PDF (ReportLab): the page's content, each request and statement it quotes
    after its portion mark, the banner (the roll-up of what the brief shows) at the top and
    bottom of every page, tables and a bar chart of open requests per partner. Built with
    ``allied.core.pdf``, so that no text a partner typed can break it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    from allied.core import pdf

    out = io.BytesIO()
    page_width, page_height = A4
    margin = 15 * mm
    top_lines, _ = pdf.banner_lines(brief.banner, page_width - 2 * margin)
    room = 10 * mm + 4 * mm * len(top_lines)

    def banner(canvas: Any, doc: Any) -> None:
        pdf.draw_banner(
            canvas, brief.banner, page_width=page_width, margin=margin,
            top=page_height - 10 * mm, bottom=8 * mm,
        )  # fmt: skip

    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"Allied weekly brief {brief.day.isoformat()}",
        author="Allied",
        leftMargin=margin,
        rightMargin=margin,
        topMargin=room,
        bottomMargin=room,
    )
    story = _PdfStory(doc.width)
    story.opening(brief)
    story.partners(brief.partners)
    story.most_blocked(brief.most_blocked)
    story.conflicts(brief.conflicts)
    story.overdue(brief.overdue)
    doc.build(story.flowables, onFirstPage=banner, onLaterPages=banner)
    return out.getvalue()


class _PdfStory:
    """The brief's flowables, section by section, in the styles of ``allied.core.pdf``."""

    def __init__(self, width: float) -> None:
        from allied.core import pdf

        self.pdf = pdf
        self.styles = pdf.styles()
        self.width = width
        self.flowables: list[Any] = []

    def p(self, text: str, style: str = "BodyText") -> Any:
        return self.pdf.paragraph(text, self.styles[style])

    def marked(self, text: str, portion: str) -> Any:
        return self.pdf.paragraph(text, self.styles["BodyText"], portion=portion)

    def said(self, s: GuidanceStatement) -> Any:
        return self.marked(
            f"{s.get_body_display()}: {s.get_position_display()} ({s.said_on.isoformat()}). "
            f"{s.summary}",
            s.marking.portion(),
        )

    def section(
        self,
        heading: str,
        header: list[str],
        shares: list[float],
        rows: list[list[Any]],
        empty: str,
    ) -> None:
        """A heading, then a table of ``rows`` (or, without rows, the words ``empty``)."""
        self.flowables.append(self.p(heading, "Heading2"))
        if rows:
            self.flowables.append(self.table(header, shares, rows))
        else:
            self.flowables.append(self.p(empty))

    def table(self, header: list[str], shares: list[float], rows: list[list[Any]]) -> Any:
        return self.pdf.table(
            header, rows, width=self.width, shares=shares, style=self.styles["BodyText"]
        )

    def opening(self, brief: Brief) -> None:
        self.flowables += [
            self.p(f"Allied weekly brief, {brief.day.isoformat()}", "Title"),
            self.p(
                f"{brief.total_open} open allied requests, {brief.total_escalated} past their "
                f"target; {len(brief.conflicts)} conflicting statements; {len(brief.overdue)} "
                "commitments overdue. Only what the reader may see is counted."
            ),
        ]

    def partners(self, partners: list[PartnerState]) -> None:
        from reportlab.lib.units import mm
        from reportlab.platypus import Spacer

        self.section(
            "Cooperation with each partner",
            ["Partner", "Open", "Past target", "Oldest (days)", "By type"],
            [3, 1, 1.3, 1.3, 4],
            [
                [
                    f"{s.name} ({s.nation})",
                    str(s.open),
                    str(s.escalated),
                    str(s.oldest_days),
                    ", ".join(f"{k}: {n}" for k, n in sorted(s.by_kind.items())),
                ]
                for s in partners
            ],
            "No open requests.",
        )
        if partners:
            self.flowables += [Spacer(1, 4 * mm), _open_chart(partners[:15])]

    def most_blocked(self, ranked: list[Ranked]) -> None:
        self.section(
            "Most blocked requests",
            ["Partner", "Type", "Request", "Age / target (days)", "Blockers"],
            [1, 1.6, 3.4, 1.4, 4],
            [
                [
                    r.item.partner,
                    r.kind_label,
                    self.marked(r.item.title, r.item.portion_mark),
                    f"{r.score.age_days} / {r.score.target_days}",
                    "; ".join(r.item.blockers),
                ]
                for r in ranked
            ],
            "No blocked requests.",
        )

    def conflicts(self, conflicts: list[ShownConflict]) -> None:
        self.section(
            "Conflicting guidance",
            ["Partner", "Topic", "First", "Second", "Days apart"],
            [1, 2, 4, 4, 1.2],
            [
                [
                    c.conflict.partner,
                    c.first.topic,
                    self.said(c.first),
                    self.said(c.second),
                    str(c.conflict.days_apart),
                ]
                for c in conflicts
            ],
            "No conflicting statements.",
        )

    def overdue(self, overdue: list[tuple[GuidanceStatement, int]]) -> None:
        self.section(
            "Commitments overdue",
            ["Partner", "Body", "Commitment", "Due", "Days overdue"],
            [1, 2.2, 5, 1.6, 1.3],
            [
                [
                    s.partner_id,
                    s.get_body_display(),
                    self.marked(f"{s.topic}: {s.summary}", s.marking.portion()),
                    str(s.commitment_due),
                    str(d),
                ]
                for s, d in overdue
            ],
            "No commitment is overdue.",
        )


def _open_chart(partners: list[PartnerState]) -> Any:
    """A bar chart of the open requests of ``partners``, the first at the top."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    drawing = Drawing(170 * mm, 8 * mm * len(partners) + 20 * mm)
    chart = HorizontalBarChart()
    chart.x, chart.y = 30 * mm, 10 * mm
    chart.width, chart.height = 130 * mm, 8 * mm * len(partners)
    chart.data = [[s.open for s in reversed(partners)]]
    chart.categoryAxis.categoryNames = [s.nation for s in reversed(partners)]
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#005ea2")
    drawing.add(chart)
    return drawing
