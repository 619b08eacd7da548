# The commands README.md names. Everything installs into .venv from pyproject.toml.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app network
HOST ?= 127.0.0.1
PORT ?= 5000
# axe-core for the browser tests' accessibility checks: test-only, from npm, kept inside .venv.
AXE_VERSION := 4.14.1
AXE := $(VENV)/npm/node_modules/axe-core/axe.min.js
# oidc-provider for the single sign-on tests: a real OpenID provider, test-only, from npm at the
# version tests/accounts/oidc/package.json pins (the tests' fixture installs it too if missing).
OIDC_PROVIDER := $(VENV)/oidc-provider/node_modules/oidc-provider/package.json

.PHONY: install axe oidc-provider run test lint translations compile-translations extract-messages migrate bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

$(AXE):
	npm install --prefix $(VENV)/npm --no-audit --no-fund --no-save axe-core@$(AXE_VERSION)

axe: $(AXE)

$(OIDC_PROVIDER): tests/accounts/oidc/package.json
	mkdir -p $(VENV)/oidc-provider
	cp tests/accounts/oidc/package.json $(VENV)/oidc-provider/package.json
	npm install --prefix $(VENV)/oidc-provider --no-audit --no-fund --omit=dev
	touch $@

oidc-provider: $(OIDC_PROVIDER)

# Development: install (with the dev tools), then compile the catalogs.
translations: install compile-translations

# Compile every catalog (network/translations and each feature's own) into .mo files, with the
# Babel the app itself depends on: a production install runs this and gets no dev packages.
# Only catalogs newer than their .mo, each written beside it and renamed into place: a second
# `make test` started while one runs must not rewrite the files the first one's apps are reading.
compile-translations:
	@test -x $(BIN)/pybabel || { echo "$(BIN)/pybabel missing: install the app into $(VENV) first" >&2; exit 1; }
	@for po in network/translations/*/LC_MESSAGES/messages.po network/*/translations/*/LC_MESSAGES/messages.po; do \
		test -f "$$po" || continue; \
		mo="$${po%.po}.mo"; \
		if [ ! -f "$$mo" ] || [ "$$po" -nt "$$mo" ]; then \
			$(BIN)/pybabel -q compile -i "$$po" -o "$$mo.$$$$.tmp" && mv -f "$$mo.$$$$.tmp" "$$mo" || exit 1; \
		fi; \
	done

# Refresh the English catalogs after changing user-facing strings: make extract-messages [ONLY=forums]
extract-messages: install
	$(BIN)/python -m network.i18n_tools $(ONLY)

migrate: install
	$(FLASK) db upgrade

run: translations migrate
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .

# SQLite first (with the browser tests), then the same suite on PostgreSQL. pytest's exit code 5
# ("no tests collected") fails the run like any other non-zero code: a suite that finds nothing
# to run is broken, not green. PYTEST_ARGS narrows both passes, e.g. PYTEST_ARGS="tests/forums".
test: translations lint $(AXE) $(OIDC_PROVIDER)
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(BIN)/python bin/postgres_pass.py $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

# All benchmarks, or some: make bench BENCH="start_page" BENCH_ARGS="--duration 5"
# Without BENCH the mixed workload runs too: MIXED_ARGS="--backend postgres --duration 20"
bench: translations
	$(BIN)/python -m bench $(BENCH) $(BENCH_ARGS)
	$(if $(BENCH),,$(BIN)/python -m bench.mixed $(MIXED_ARGS))

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
