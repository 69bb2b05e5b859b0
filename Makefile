# Allied: `make demo` to try it, `make test` to check it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.allied-installed

USWDS_DIST := node_modules/@uswds/uswds/dist
USWDS_DEST := allied/static/vendor/uswds
USWDS_CSS := $(USWDS_DEST)/css/uswds.min.css
HTMX_DEST := allied/static/vendor/htmx
HTMX_JS := $(HTMX_DEST)/htmx.min.js
VEGA_DEST := allied/static/vendor/vega
VEGA_JS := $(VEGA_DEST)/vega-embed.min.js
AXE_JS := node_modules/axe-core/axe.min.js
CHROMIUM := /usr/bin/chromium

.PHONY: venv assets browser chromium axe demo test test-browser test-leaks test-pg-restart \
	test-concurrency fuzz lint bench bench-medallion load

venv: $(VENV_STAMP)

# Reinstalls only when pyproject.toml changes.
$(VENV_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# USWDS and htmx from the npm registry, copied into static/ so pages never load anything from
# elsewhere. Without them pages work the same: unstyled, and forms are checked on submit.
assets: $(USWDS_CSS) $(HTMX_JS) $(VEGA_JS)

$(USWDS_CSS): package.json
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "npm not found: skipping USWDS assets (pages will work, unstyled)."; \
	else \
		set -e; \
		npm install --no-audit --no-fund; \
		rm -rf $(USWDS_DEST); \
		mkdir -p $(USWDS_DEST)/css; \
		cp $(USWDS_DIST)/css/uswds.min.css $(USWDS_DEST)/css/; \
		cp -R $(USWDS_DIST)/fonts $(USWDS_DEST)/fonts; \
		cp -R $(USWDS_DIST)/img $(USWDS_DEST)/img; \
	fi

$(HTMX_JS): package.json
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "npm not found: skipping htmx (authoring forms check marks on submit instead)."; \
	else \
		set -e; \
		npm install --no-audit --no-fund; \
		mkdir -p $(HTMX_DEST); \
		cp node_modules/htmx.org/dist/htmx.min.js $(HTMX_DEST)/; \
	fi

# Vega, Vega-Lite and vega-embed draw the charts in the browser from specs with inline data.
# Without them each chart is still there as its data table.
$(VEGA_JS): package.json
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "npm not found: skipping Vega (charts show as tables only)."; \
	else \
		set -e; \
		npm install --no-audit --no-fund; \
		mkdir -p $(VEGA_DEST); \
		cp node_modules/vega/build/vega.min.js $(VEGA_DEST)/; \
		cp node_modules/vega-lite/build/vega-lite.min.js $(VEGA_DEST)/; \
		cp node_modules/vega-embed/build/vega-embed.min.js $(VEGA_DEST)/; \
	fi

# What the browser tests (tests/browser/) need: the styles, axe-core from npm (read by the tests
# from node_modules, never copied into static/) and Debian's Chromium, which Playwright drives
# (Playwright's own browser downloads are never used). apt-get needs root.
browser: venv assets $(AXE_JS) chromium

chromium:
	@if [ -x $(CHROMIUM) ]; then \
		echo "Chromium found: $$($(CHROMIUM) --version 2>/dev/null)"; \
	else \
		apt-get update && apt-get install -y chromium; \
	fi

axe: $(AXE_JS)

$(AXE_JS): package.json
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "npm not found: skipping axe-core (the browser tests will be skipped)."; \
	else \
		npm install --no-audit --no-fund && touch $@; \
	fi

demo: venv assets
	$(BIN)/allied demo

test: venv
	$(BIN)/pytest

# Only the browser journeys, after installing what they need.
test-browser: browser
	$(BIN)/pytest -m browser tests/browser

# The leak crawl as all twelve people of the cast on PostgreSQL (CI crawls each person once, half
# on each database). Needs PostgreSQL on 127.0.0.1:5432; uses its own database.
test-leaks: venv
	ALLIED_FULL_CRAWL=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/allied_leaks \
		$(BIN)/pytest allied/core/tests/test_leaks.py --create-db -p no:cacheprovider

# Stops and starts the local PostgreSQL cluster under load: requests during the outage get a 503,
# then succeed again without restarting the application. Not for a machine whose PostgreSQL
# serves anything else; CI runs it alone after the suites.
test-pg-restart: venv
	ALLIED_PG_RESTART_TEST=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/allied_pg_restart \
		$(BIN)/pytest tests/system/test_crash_safety.py -k postgresql_is_down --create-db \
		-p no:cacheprovider

# Fifty clients at once on one product, one disclosure request, one arms case and one plan
# (PostgreSQL).
test-concurrency: venv
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/allied_concurrency \
		$(BIN)/pytest allied/intel/tests/test_concurrency.py allied/arms/tests/test_concurrency.py \
		allied/planning/tests/test_concurrency.py --create-db -p no:cacheprovider --durations=10

# Schemathesis over every API operation as five people of the cast, with many more examples than
# the test suite's one per operation (ALLIED_FUZZ_EXAMPLES; takes tens of minutes at 100). Runs on
# SQLite, or on PostgreSQL with DATABASE_URL=... (add --create-db through PYTEST_ARGS).
ALLIED_FUZZ_EXAMPLES ?= 100
fuzz: venv
	ALLIED_FUZZ_EXAMPLES=$(ALLIED_FUZZ_EXAMPLES) ALLIED_FUZZ_ALL=1 \
		$(BIN)/pytest allied/core/tests/test_fuzz_api.py tests/system/test_bad_input.py \
		-p no:cacheprovider $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Every benchmark; one table of figures, targets and verdicts in bench/results.md.
bench: venv
	$(BIN)/python -m bench

# The load test: 30 people of the cast for 10 minutes against 3 gunicorn workers on PostgreSQL,
# connected as the application role (row-level security on). Builds its large data set in
# allied_load_data the first time (up to half an hour), then reuses it. Prints the table, writes
# bench/load.md and fails on any error. CI runs a bounded variant (python -m bench.load --quick).
# LOAD_ARGS passes options, e.g. make load LOAD_ARGS="--users 20 --workers 4"; with
# LOAD_ARGS=--capacity (no think time, people added until p95 passes 500 ms) it writes
# bench/capacity.md instead. make bench adds both runs' summaries to bench/results.md.
load: venv
	$(BIN)/python -m bench.load $(LOAD_ARGS)

# The medallion reference TAXII server, for scale beside `python -m bench.taxii` (slow: its reads
# grow with the square of the store; one page at 10,000 objects can take minutes).
bench-medallion:
	test -x .venv-medallion/bin/python || $(PYTHON) -m venv .venv-medallion
	.venv-medallion/bin/pip install --quiet medallion
	.venv-medallion/bin/python bench/medallion_compare.py 10000
