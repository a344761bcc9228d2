# The two commands a fresh machine needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app connector
CATALOGS := $(wildcard translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
BABEL_KEYWORDS := -k _l -k lazy_gettext

.PHONY: run test lint bench install i18n-extract i18n-update i18n-compile migrate clean

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
# set, the web app on http://127.0.0.1:5000 and a worker.
run: install i18n-compile
	$(FLASK) db upgrade
	$(FLASK) admin-units sync
	$(FLASK) service-points generate --province 44
	$(FLASK) seed demo
	@echo ""
	@echo "  Open http://127.0.0.1:5000 and sign in with a demo login above."
	@echo "  Sandbox marketplaces: http://127.0.0.1:5001 (orders: POST /_sandbox/postmart/orders)"
	@echo ""
	$(BIN)/honcho -f Procfile.dev start $(if $(REDIS_URL),web worker sandbox,)

lint: install
	$(BIN)/ruff check connector workers tests
	$(BIN)/lint-imports

test: install i18n-compile lint
	$(BIN)/python -m pytest

bench: install i18n-compile
	$(BIN)/python -m tests.benchmarks.run

# After changing models: write the next migration (then read it and commit it).
migrate: install
	$(FLASK) db migrate -m "$(m)"

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache .ruff_cache $(COMPILED)
