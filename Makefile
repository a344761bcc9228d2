# The two commands a fresh machine needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app connector
CATALOGS := $(wildcard translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
BABEL_KEYWORDS := -k _l -k lazy_gettext

.PHONY: run test lint bench bench-tools drills container-check install i18n-extract i18n-update i18n-compile migrate clean

# Install (or re-install when pyproject.toml changes) into the project's own virtualenv.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# Compiled catalogs are build products, made here and never committed.
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(BIN)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ -l $*

i18n-compile: $(COMPILED)

i18n-extract: install
	$(BIN)/pybabel extract -F translations/babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output -w 120 \
		--project connector -o translations/messages.pot .

i18n-update: i18n-extract
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching -w 120

# Everything on embedded defaults: SQLite under instance/, a local redis-server unless REDIS_URL is
# set, the web app on http://127.0.0.1:5000, a worker and the sandbox marketplaces.
# Redis starts first and stops last: honcho stops its processes all at once, and a worker still
# shutting down needs Redis to deregister. Ctrl-C (honcho's 130) or SIGTERM (143) is a normal stop.
REDIS_DEV := $(BIN)/redis-server --port 6380 --bind 127.0.0.1 --save "" --appendonly no --loglevel warning
run: install i18n-compile
	$(FLASK) db upgrade
	$(FLASK) admin-units sync
	$(FLASK) service-points generate --province 44
	$(FLASK) seed demo
	@echo ""
	@echo "  Open http://127.0.0.1:5000 and sign in with a demo login above."
	@echo "  Sandbox marketplaces: http://127.0.0.1:5001 (how to place a test order: README, 'Sandbox')"
	@echo "  Stop with Ctrl-C."
	@echo ""
	@$(if $(REDIS_URL),,mkdir -p instance; setsid $(REDIS_DEV) >instance/redis.log 2>&1 & redis=$$!;) \
	$(BIN)/honcho -f Procfile.dev start & honcho=$$!; \
	trap : INT; trap 'kill -TERM $$honcho 2>/dev/null' TERM; \
	while :; do wait $$honcho; status=$$?; kill -0 $$honcho 2>/dev/null || break; done; \
	$(if $(REDIS_URL),,kill $$redis 2>/dev/null; wait $$redis;) \
	case $$status in 0|130|143) echo "  Stopped."; exit 0;; *) exit $$status;; esac

lint: install
	$(BIN)/ruff check connector workers tests
	$(BIN)/lint-imports

test: install i18n-compile lint
	$(BIN)/python -m pytest

# Lighthouse for the page scores, from tests/benchmarks/lighthouse/package.json (skipped without npm).
LIGHTHOUSE_DIR := tests/benchmarks/lighthouse
$(LIGHTHOUSE_DIR)/node_modules/.installed: $(LIGHTHOUSE_DIR)/package.json $(LIGHTHOUSE_DIR)/package-lock.json
	npm ci --prefix $(LIGHTHOUSE_DIR) --no-audit --no-fund --loglevel=error
	touch $@

bench-tools:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(LIGHTHOUSE_DIR)/node_modules/.installed; \
	else echo "npm not found: make bench skips Lighthouse (Debian: apt-get install npm)"; fi

bench: install i18n-compile bench-tools
	$(BIN)/python -m tests.benchmarks.run

# The fault drills at the issue's lengths (Redis stopped a minute, the marketplaces down five), on
# PostgreSQL as production runs; `make test` runs the same drills with 15-second outages.
DRILLS_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
drills: install i18n-compile
	DRILL_OUTAGE_SECONDS=60 DRILL_MARKETPLACE_OUTAGE_SECONDS=300 TEST_DATABASE_URL=$(DRILLS_DATABASE_URL) \
		$(BIN)/python -m pytest -q tests/system/test_faults.py tests/media/test_disk_full.py

# The image built from the Dockerfile and run (release, web, worker) against PostgreSQL: needs a Docker
# daemon. PYTHON_IMAGE=connector-python:3.11 builds on the base `sh docker/python-base` makes from
# Debian's packages where Docker Hub is out of reach.
CONTAINER_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
container-check: install i18n-compile
	CONTAINER_CHECK=1 TEST_DATABASE_URL=$(CONTAINER_DATABASE_URL) $(BIN)/python -m pytest -q tests/test_container.py

# After changing models: write the next migration (then read it and commit it).
migrate: install
	$(FLASK) db migrate -m "$(m)"

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache .ruff_cache $(COMPILED)
