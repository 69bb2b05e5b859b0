"""The working group's queue and weekly brief at scale on PostgreSQL (working-group issue).

50,000 open free-form requests (fictional) across twelve partners and ten markings, in their own
database ``allied_bench_wg``, plus the partner priorities; then, through the real views as the
working-group member (``wg.member``): the queue page (first page and a filtered page), p50/p95
over repeated requests, and the weekly brief as a PDF. Targets: queue p95 <= 150 ms, brief PDF
<= 10 s. ``python -m bench working_group`` or ``python -m bench.working_group [N]``.
Timed after ``gc.freeze()``, as ``allied/wsgi.py`` serves.

The database is reached as the superuser that created it, so the row-level security policies do
not run here; the ORM filter by visible markings does (as in ``bench/taxii.py``).
"""

from __future__ import annotations

import datetime
import gc
import statistics
import sys
import time

from bench._database import fresh_django
from bench._report import record

DB = "allied_bench_wg"
PARTNERS = ("JPN", "KOR", "AUS", "PHL", "IND", "GBR", "NZL", "SGP", "VNM", "IDN", "MYS", "THA")
MARKINGS = (
    "UNCLASSIFIED",
    "UNCLASSIFIED//REL TO USA, {p}",
    "CONFIDENTIAL//REL TO USA, {p}",
    "SECRET//REL TO USA, {p}",
    "SECRET//NOFORN",
    "CONFIDENTIAL//NOFORN",
    "SECRET//REL TO USA, FVEY",
    "TOP SECRET//NOFORN",
    "SECRET",
    "CONFIDENTIAL",
)


def setup(total: int) -> None:
    fresh_django(DB)
    populate(total)


def populate(total: int) -> None:
    """``total`` open free-form requests and the partner priorities (fictional)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from allied.core.models import StoredMarking, system_access
    from allied.working_group.models import FreeformRequest, PartnerPriority

    member = get_user_model().objects.get(username="wg.member")
    today = timezone.localdate()
    kinds = ("liaison", "training", "exercise", "other")
    with system_access("bench: fictional requests"):
        markings = {
            (p, m): StoredMarking.objects.intern(m.format(p=p)) for p in PARTNERS for m in MARKINGS
        }
        rows = []
        for i in range(total):
            partner = PARTNERS[i % len(PARTNERS)]
            rows.append(
                FreeformRequest(
                    partner_id=partner,
                    kind=kinds[i % len(kinds)],
                    title=f"Benchmark request {i} (fictional)",
                    owner="Benchmark office (fictional)",
                    opened=today - datetime.timedelta(days=i % 400),
                    blockers="Waiting on a review (fictional)" if i % 3 == 0 else "",
                    flags=",strategic," if i % 17 == 0 else "",
                    created_by=member,
                    marking=markings[(partner, MARKINGS[(i // len(PARTNERS)) % len(MARKINGS)])],
                )
            )
        FreeformRequest.objects.bulk_create(rows, batch_size=5000)
        from allied.working_group import entries

        entries.rebuild()  # bulk_create sends no post_save: the queue table is made here
        for n, partner in enumerate(PARTNERS):
            PartnerPriority(
                nation_id=partner,
                weight=1 + n % 3,
                effective_from=today,
                reason="Benchmark (fictional)",
                set_by=member,
                marking=StoredMarking.objects.intern("SECRET//NOFORN"),
            ).save()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(client: object, url: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def run(total: int, runs: int = 30) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="wg.member"))
    timed(client, "/working-group/", 3)  # warm caches
    # As served: allied/wsgi.py freezes what the process loaded, out of full collections' reach.
    gc.collect()
    gc.freeze()
    for label, url in (
        ("queue, first page", "/working-group/"),
        ("queue, one partner, escalated", "/working-group/?partner=PHL&escalated=on"),
        ("queue API, 50 rows", "/api/working-group/queue/"),
    ):
        times = timed(client, url, runs)
        record("working_group", f"{label}, p95 ({total:,} requests)", p95(times) * 1000, "ms", 150)
        print(
            f"  {label:<32} p50 {statistics.median(times) * 1000:6.0f} ms   "
            f"p95 {p95(times) * 1000:6.0f} ms   (target p95 <= 150 ms)"
        )
    start = time.perf_counter()
    response = client.get("/working-group/brief/?format=pdf")
    took = time.perf_counter() - start
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    record("working_group", "weekly brief PDF", took, "s", 10)
    print(
        f"  weekly brief PDF                 {took:6.1f} s ({len(response.content):,} bytes; "
        "target <= 10 s)"
    )


def main(total: int = 50_000) -> None:
    print(f"\n## Working-group queue and brief on PostgreSQL, {total:,} open requests")
    start = time.perf_counter()
    setup(total)
    print(f"  (set up in {time.perf_counter() - start:.0f} s)")
    run(total)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
