"""Load test: the cast's journeys against several application processes on PostgreSQL.

``make load`` (``python -m bench.load``) runs it for 10 minutes with 30 simulated people;
``python -m bench.load --quick`` (CI) for 50 seconds with 7 people (at least one of each kind),
on a small data set.

1. **Data.** One database (``allied_load_data`` by default) holding the benchmarks' large data
   sets together, built with their own generators: 100,000 products with 1,000,000 portions
   (``bench/search.py``), 50,000 FMS cases (``bench/arms.py``), the demo content of every module
   (disclosure requests, plans, guidance...), 20,000 officials and 200,000 contacts
   (``bench/people.py``), 50,000 working-group requests (``bench/working_group.py``),
   1,000,000 bulletins (``bench/visibility.py``), 100,000 STIX objects ingested through TAXII
   (``bench/taxii.py``) and 2,000 pending disclosure requests. It is built once (35 minutes
   on a busy 2-core machine, 20 of them for the people; the database's comment records at which
   scale) and reused by later runs; ``--rebuild`` builds it again.
2. **Roles.** ``allied db_roles`` creates a login application role (``allied_load_app``, no
   superuser, no BYPASSRLS), so the application processes read through the row-level security
   policies as production does. The cast gets fresh random passwords and API tokens.
3. **Processes.** gunicorn with ``--workers`` (3) processes on 127.0.0.1, ``--preload`` as
   ``allied/wsgi.py`` expects, ``ALLIED_DEBUG=false``.
4. **Load.** locust, headless, on loopback: ``bench/_locustfile.py`` (each kind of person's
   journeys, weighted), pages with a session and the API with a token.
5. **Figures.** Requests per second, p50/p95/p99 per page, and errors (anything but 2xx/3xx,
   apart from an expected 404 or 403). Printed as a table; the long run also writes it to
   ``bench/load.md`` (``--output`` elsewhere) and, when written there, its summary to
   ``var/load-figures.jsonl``, which ``make bench`` adds to ``bench/results.md``. Exits non-zero
   on any error. ``make load LOAD_ARGS="--users 20"`` passes options.

All data is generated and fictional.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import _report

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG = "127.0.0.1:5432"
PG_ADMIN = f"postgres://postgres@{PG}/postgres"
DB = "allied_load_data"
APP_ROLE, OWNER_ROLE = "allied_load_app", "allied_load_owner"
MARKDOWN = ROOT / "bench" / "load.md"
# The audit chain's key for this test database (fictional; production sets its own).
AUDIT_KEY = "allied-load-test-audit-key-fictional"


@dataclass(frozen=True)
class Sizes:
    products: int
    cases: int
    officials: int
    contacts: int
    requests: int
    bulletins: int
    stix: int
    disclosures: int


LABELS = {
    "products": "products (10 portions each)",
    "cases": "FMS cases",
    "officials": "officials",
    "contacts": "contacts",
    "requests": "working-group requests",
    "bulletins": "bulletins",
    "stix": "STIX objects",
    "disclosures": "disclosure requests",
}
SCALES = {
    "full": Sizes(100_000, 50_000, 20_000, 200_000, 50_000, 1_000_000, 100_000, 2_000),
    "small": Sizes(2_000, 1_000, 2_000, 3_000, 1_000, 20_000, 2_000, 100),
}


# --- data (run in a subprocess: Django is set up once per process) ---------------------------


def disclosure_requests(total: int) -> None:
    """``total`` pending requests, by the U.S. analyst, to release the first two portions of a
    generated product to a partner: the disclosure officer's queue at scale."""
    from django.contrib.auth import get_user_model

    from allied.core.models import system_access
    from allied.intel.disclosure import request_marking
    from allied.intel.models import DisclosureRequest, Portion

    partners = ("JPN", "KOR", "AUS", "PHL", "IND", "GBR")
    analyst = get_user_model().objects.get(username="us.analyst")
    with system_access("bench: fictional disclosure requests"):
        portions: dict[int, list[Portion]] = {}
        chosen = Portion.objects.filter(product_id__lte=total, order__lte=2)
        for portion in chosen.select_related("marking").order_by("product_id", "order"):
            portions.setdefault(portion.product_id, []).append(portion)
        requests = []
        for n, (product, chosen_portions) in enumerate(sorted(portions.items())):
            request = DisclosureRequest(
                product_id=product,
                partner_id=partners[n % len(partners)],
                purpose=f"Generated request {n} for a combined exercise (fictional)",
                requested_by=analyst,
            )
            request.set_marking(request_marking(chosen_portions))
            requests.append(request)
        DisclosureRequest.objects.bulk_create(requests, batch_size=2000)
        through = DisclosureRequest.portions.through
        through.objects.bulk_create(
            [
                through(disclosurerequest_id=request.pk, portion_id=portion.pk)
                for request in requests
                for portion in portions[request.product_id]
            ],
            batch_size=5000,
        )


def build(db: str, scale: str) -> None:
    """Build the combined data set in ``db`` from the benchmarks' generators."""
    from bench import arms, people, search, taxii, visibility, working_group
    from bench._database import fresh_django

    sizes = SCALES[scale]
    steps = []
    started = time.perf_counter()

    def step(label: str) -> None:
        steps.append(f"{label} ({time.perf_counter() - started:.0f} s)")
        print(f"  {steps[-1]}", flush=True)

    fresh_django(db)
    step("migrated, registry and cast")
    search.populate(sizes.products)
    step(f"{sizes.products:,} products, {sizes.products * search.PORTIONS_PER_PRODUCT:,} portions")
    arms.populate(sizes.cases)
    step(f"{sizes.cases:,} FMS cases")
    from allied.core import demo_content
    from allied.core.management.commands.demo import seed_apps

    demo_content.seed()
    seed_apps()
    step("demo content of every module")
    people.populate(sizes.officials, sizes.contacts)
    step(f"{sizes.officials:,} officials, {sizes.contacts:,} contacts")
    working_group.populate(sizes.requests)
    step(f"{sizes.requests:,} working-group requests")
    visibility.populate(sizes.bulletins)
    step(f"{sizes.bulletins:,} bulletins")
    taxii.ingest(sizes.stix)
    step(f"{sizes.stix:,} STIX objects through TAXII")
    disclosure_requests(sizes.disclosures)
    step(f"{sizes.disclosures:,} disclosure requests")
    from allied.working_group import entries

    # The generators bulk-create requests (no post_save): the queue table is made once here.
    entries.rebuild()
    step("working-group queue table")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(f"COMMENT ON DATABASE {db} IS %s", [f"allied load data: {scale}"])
    step("vacuumed and analysed")


def prepare(db: str, out: Path) -> None:
    """Migrate, give the application role a login and the cast fresh passwords and API tokens;
    write them (and the role's password) to ``out``, readable by this user only."""
    os.environ["ALLIED_APP_PASSWORD"] = app_password = secrets.token_urlsafe(18)
    from bench._database import fresh_django

    fresh_django(db, reuse=True)
    from django.core.management import call_command

    from allied.core.cast import CAST, create_cast
    from allied.core.management.commands.token import rotate_token

    # A data set built by an earlier version of the code gets its newer migrations first.
    call_command("migrate", verbosity=0, interactive=False)
    call_command("db_roles", owner=OWNER_ROLE, app=APP_ROLE, stdout=io.StringIO())
    passwords = {person.username: secrets.token_urlsafe(12) for person in CAST}
    credentials: dict[str, object] = {"_database": app_password}
    for person in CAST:
        user = create_cast(password=passwords[person.username], people=[person])[person.username]
        credentials[person.username] = {
            "password": passwords[person.username],
            "token": rotate_token(user).key,
        }
    out.touch(mode=0o600)
    out.write_text(json.dumps(credentials), encoding="utf-8")


def built_scale(db: str) -> str | None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [db],
        ).fetchone()
    prefix = "allied load data: "
    return row[0][len(prefix) :] if row and row[0] and row[0].startswith(prefix) else None


def drop(db: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


# --- processes -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(
    db: str, app_password: str, workers: int, port: int, log: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{APP_ROLE}:{app_password}@{PG}/{db}",
        "ALLIED_DEBUG": "false",
        "ALLIED_SECRET_KEY": secrets.token_urlsafe(40),
        "ALLIED_HTTPS": "false",
        "ALLIED_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "allied.settings",
    }
    command = [
        str(BIN / "gunicorn"),
        "allied.wsgi:application",
        f"--workers={workers}",
        f"--bind=127.0.0.1:{port}",
        "--preload",
        "--timeout=120",
        "--no-control-socket",  # one per server; none is needed here
        "--error-logfile=-",
    ]
    # The server's and the application's log lines (sign-ins, 404s) go to ``log``, shown on error.
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode} before answering")
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url}/login/ within {seconds:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    requests: int
    errors: int
    per_second: float
    p50: float
    p95: float
    p99: float


def read_stats(path: Path) -> list[Row]:
    """locust's ``*_stats.csv``: one row per page, then the aggregate (named ``all``)."""
    rows = []
    with path.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            name = "all" if r["Name"] == "Aggregated" else r["Name"]
            rows.append(
                Row(
                    name,
                    int(r["Request Count"]),
                    int(r["Failure Count"]),
                    float(r["Requests/s"]),
                    float(r["50%"] or 0),
                    float(r["95%"] or 0),
                    float(r["99%"] or 0),
                )
            )
    return sorted(rows, key=lambda row: (row.name == "all", row.name))


def markdown(rows: list[Row], heading: str) -> str:
    lines = [
        heading,
        "",
        "| page or API | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        name = f"**{r.name}**" if r.name == "all" else f"`{r.name}`"
        lines.append(
            f"| {name} | {r.requests:,} | {r.per_second:.2f} | {r.p50:.0f} | {r.p95:.0f} | "
            f"{r.p99:.0f} | {r.errors:,} |"
        )
    return "\n".join(lines) + "\n"


def summary(rows: list[Row], label: str) -> list[_report.Figure]:
    """The load test's figures for ``make bench``'s table: all requests together."""
    total = next(r for r in rows if r.name == "all")
    return [
        _report.Figure("load", f"throughput, {label}", total.per_second, "req/s"),
        _report.Figure("load", "p50, all pages and API", total.p50, "ms"),
        _report.Figure("load", "p95, all pages and API", total.p95, "ms"),
        _report.Figure("load", "p99, all pages and API", total.p99, "ms"),
        _report.Figure("load", "worst page p95", max(r.p95 for r in rows if r.name != "all"), "ms"),
        _report.Figure("load", f"errors in {total.requests:,} requests", total.errors, "errors", 0),
    ]


# --- the run ---------------------------------------------------------------------------------


def python_m(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "bench.load", *args], cwd=ROOT, check=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="CI: small data, 7 people, 50 s")
    parser.add_argument("--db", default=DB, help=f"database (default {DB})")
    parser.add_argument(
        "--scale", choices=sorted(SCALES), help="data set (default full; quick: small)"
    )
    parser.add_argument("--users", type=int, help="simulated people (default 30; quick: 7)")
    parser.add_argument("--seconds", type=int, help="duration (default 600; quick: 50)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--rebuild", action="store_true", help="build the data set even if built")
    parser.add_argument("--note", default="", help="a sentence for the table's heading")
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards")
    parser.add_argument(
        "--output", type=Path, help="markdown file (default: bench/load.md, except with --quick)"
    )
    args = parser.parse_args(argv)
    scale = args.scale or ("small" if args.quick else "full")
    users = args.users or (7 if args.quick else 30)
    seconds = args.seconds or (50 if args.quick else 600)
    output = args.output or (None if args.quick else MARKDOWN)

    work = Path(tempfile.mkdtemp(prefix="allied-load-"))
    server = None
    try:
        if args.rebuild or built_scale(args.db) != scale:
            print(f"# building the {scale} load data set in {args.db}", flush=True)
            python_m("build", args.db, scale)
        python_m("prepare", args.db, str(work / "credentials.json"))
        credentials = json.loads((work / "credentials.json").read_text(encoding="utf-8"))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = serve(args.db, credentials["_database"], args.workers, port, work / "gunicorn.log")
        wait_until_up(url, server)
        print(
            f"# {users} people for {seconds} s against {args.workers} gunicorn workers at {url} "
            f"(database {args.db}, {scale} data, role {APP_ROLE})",
            flush=True,
        )
        started = datetime.datetime.now(datetime.UTC)
        with (work / "locust.log").open("wb") as locust_log:
            locust = subprocess.run(
                [
                    str(BIN / "locust"),
                    "--locustfile", str(ROOT / "bench" / "_locustfile.py"),
                    "--headless",
                    "--users", str(users),
                    "--spawn-rate", str(max(1, users // 10)),
                    "--run-time", f"{seconds}s",
                    "--stop-timeout", "30",
                    "--host", url,
                    "--csv", str(work / "locust"),
                    "--only-summary",
                    "--loglevel", "WARNING",
                ],
                cwd=ROOT,
                env={**os.environ, "ALLIED_LOAD_CREDENTIALS": str(work / "credentials.json")},
                stdout=locust_log,
                stderr=subprocess.STDOUT,
                check=False,
            )  # fmt: skip
        if locust.returncode not in (0, 1):  # 1: some requests failed, counted below
            print((work / "locust.log").read_text(encoding="utf-8", errors="replace")[-4000:])
        rows = read_stats(work / "locust_stats.csv")
        failures = (work / "locust_failures.csv").read_text(encoding="utf-8").strip()
        log = (work / "gunicorn.log").read_text(encoding="utf-8", errors="replace")
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(work, ignore_errors=True)
        if args.drop:
            drop(args.db)
    heading = (
        f"# Allied under load\n\n{started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}: {users} simulated people (`bench/_locustfile.py`) for "
        f"{seconds} s against {args.workers} gunicorn workers on 127.0.0.1, connected to "
        f"PostgreSQL as `{APP_ROLE}` (row-level security on), {scale} data set "
        f"({', '.join(f'{v:,} {LABELS[k]}' for k, v in asdict(SCALES[scale]).items())}). "
        "Errors are answers other than 2xx/3xx, apart from an expected 404 or 403. "
        "`make load` to measure again."
    ) + (f" {args.note}" if args.note else "")
    table = markdown(rows, heading)
    print("\n" + table)
    total = next(r for r in rows if r.name == "all")
    if total.errors:
        print("failures:\n" + failures)
        print("gunicorn's log (end):\n" + log[-4000:])
    if output is not None:
        output.write_text(table, encoding="utf-8")
        print(f"(written to {output})")
    if output == MARKDOWN:  # make load's own run: its summary joins make bench's table
        _report.LOAD_FIGURES.parent.mkdir(parents=True, exist_ok=True)
        label = f"{users} people, {args.workers} workers, {seconds} s"
        _report.LOAD_FIGURES.write_text(
            "".join(json.dumps(asdict(f)) + "\n" for f in summary(rows, label)), encoding="utf-8"
        )
        print(f"(summary for make bench in {_report.LOAD_FIGURES})")
    if total.requests == 0:
        print("no request was made", file=sys.stderr)
        return 1
    if total.errors or locust.returncode not in (0, 1):
        print(f"{total.errors} errors (locust exited {locust.returncode})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    os.environ["ALLIED_AUDIT_KEY"] = AUDIT_KEY  # the builder, the cast's tokens and the servers
    if sys.argv[1:2] == ["build"]:
        build(sys.argv[2], sys.argv[3])
    elif sys.argv[1:2] == ["prepare"]:
        prepare(sys.argv[2], Path(sys.argv[3]))
    else:
        raise SystemExit(main(sys.argv[1:]))
