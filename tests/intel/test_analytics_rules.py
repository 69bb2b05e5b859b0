"""Release figures for the analytics page (pure): shares per partner, blockers, NOFORN by month."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from allied.intel.rules.analytics import ProductFacts, release_figures
from allied.markings import Level, parse, render
from allied.markings.access import Viewer
from allied.markings.rollup import rollup_portions
from tests.markings.strategies import ON, portions

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)
PARTNERS = [(Viewer("JPN", Level.TS), "Japan"), (Viewer("KOR", Level.TS), "Korea")]


def facts(month, *portion_texts):
    markings = {t: parse(t) for t in portion_texts}
    banner = render(rollup_portions(list(markings.values())), "banner")
    markings[banner] = parse(banner)
    return ProductFacts(month, banner, tuple(portion_texts)), markings


def figures(*products):
    markings = {}
    rows = []
    for month, texts in products:
        row, found = facts(month, *texts)
        rows.append(row)
        markings.update(found)
    return release_figures(rows, markings, PARTNERS, ON)


def by_nation(result):
    return {p.nation: (p.whole, p.some, p.none) for p in result.partners}


def test_a_product_released_to_one_partner_is_whole_for_it_and_nothing_for_another():
    # Rule 24: REL TO USA, JPN is releasable to Japan only.
    result = figures((JAN, ["(S//REL TO USA, JPN)"]))
    assert by_nation(result) == {"JPN": (1, 0, 0), "KOR": (0, 0, 1)}


def test_a_noforn_portion_leaves_a_tearline_of_the_rest_and_blocks_every_partner():
    # Rule 24a: one NOFORN portion makes the banner NOFORN; the REL TO portion is still releasable.
    result = figures((JAN, ["(S//REL TO USA, JPN, KOR)", "(S//NF)"]))
    assert by_nation(result) == {"JPN": (0, 1, 0), "KOR": (0, 1, 0)}
    assert [(b.marking, b.blocks) for b in result.blockers] == [("(S//NF)", 2)]
    assert result.noforn_by_month[0].share == 1.0


def test_blockers_are_ranked_by_how_many_releases_they_block():
    # Rule 24: REL TO USA, JPN blocks Korea only; NOFORN blocks both.
    result = figures(
        (JAN, ["(S//REL TO USA, JPN)"]),
        (JAN, ["(S//REL TO USA, JPN)", "(S//NF)"]),
        (FEB, ["(C//NF)"]),
    )
    ranked = [(b.marking, b.blocks) for b in result.blockers]
    assert ranked == [("(C//NF)", 2), ("(S//NF)", 2), ("(S//REL TO USA, JPN)", 2)]
    assert result.blockers[-1].reason.startswith("KOR: ")


def test_noforn_share_is_counted_per_month_of_writing():
    # Rule 24a: the banner is NOFORN when any portion is.
    result = figures(
        (JAN, ["(S//NF)"]),
        (JAN, ["(S//REL TO USA, JPN)"]),
        (FEB, ["(U)"]),
    )
    assert [(m.month, m.products, m.noforn) for m in result.noforn_by_month] == [
        (JAN, 2, 1),
        (FEB, 1, 0),
    ]


def test_no_products_give_empty_shares_not_errors():
    result = release_figures([], {}, PARTNERS, ON)
    assert [(p.total, p.share(p.whole)) for p in result.partners] == [(0, 0.0), (0, 0.0)]
    assert result.blockers == () and result.noforn_by_month == ()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(portions(), min_size=1, max_size=4), min_size=1, max_size=6))
def test_every_product_counts_once_per_partner_and_whole_ones_block_nothing(products):
    # Rules 18-29: a banner rolled up from its portions is releasable only if every portion is.
    rows, markings = [], {}
    for number, product in enumerate(products):
        keys = tuple(f"p{number}.{i}" for i in range(len(product)))
        markings.update(zip(keys, product, strict=True))
        markings[f"b{number}"] = rollup_portions(product)
        rows.append(ProductFacts(JAN, f"b{number}", keys))
    result = release_figures(rows, markings, PARTNERS, ON)
    for share in result.partners:
        assert share.total == len(products)
    whole = sum(p.whole for p in result.partners)
    blocked_releases = len(products) * len(PARTNERS) - whole
    assert sum(b.blocks for b in result.blockers) >= (blocked_releases > 0)
    assert result.noforn_by_month[0].noforn == sum(
        markings[f"b{n}"].is_noforn for n in range(len(products))
    )
