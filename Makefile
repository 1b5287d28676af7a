# Two commands do all the set-up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DATE := 2024-10-01

.PHONY: demo test test-fast lint install install-test golden bench catalogs clean

$(BIN)/digest: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml $(BIN)/digest
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# axe-core for the accessibility test (skipped with a reason where npm is missing, never on CI).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	-command -v npm >/dev/null && npm ci --no-audit --no-fund --silent

install-test: node_modules/axe-core/axe.min.js

install: $(BIN)/digest

install-test: $(VENV)/.test-installed

## Build the sample network's newsletter offline (fixed date) and print the HTML's path.
demo: install
	@$(BIN)/digest build --config sources.toml --date $(DEMO_DATE) --out build/demo >&2
	@echo "$(CURDIR)/build/demo/newsletter.html"

## The gates: ruff (lint and import order) over the repository, mypy --strict over digest/ (pyproject.toml holds both configs).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy

## Run the whole test suite.
test: install-test
	$(BIN)/python -m pytest -q

## Run the suite without the tests marked slow (corpora, Chromium, real timeouts), on two cores.
test-fast: install-test
	$(BIN)/python -m pytest -q -m "not slow" -n 2

## Regenerate the golden files of the sample network (review the diff before committing).
golden: install
	$(BIN)/python -m tests.golden

## Extract the theme's words into digest/locale/digest.pot, merge them into every language's .po, compile the .mo files.
## The .mo files are committed (a plain pip install then needs no compile step); tests/test_i18n.py checks they match.
catalogs: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _ -k N_ --add-comments=Translators: --no-wrap \
		--project=network-digest --copyright-holder="digest contributors" -o digest/locale/digest.pot .
	for po in digest/locale/*/LC_MESSAGES/digest.po; do \
		$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete --no-wrap -D digest -i digest/locale/digest.pot -o $$po \
		  -l $$(basename $$(dirname $$(dirname $$po))); done
	$(BIN)/pybabel compile --statistics -D digest -d digest/locale

# reader and rss2email, measured side by side with digest: bench-only extras, never needed by the tests
$(VENV)/.bench-installed: pyproject.toml $(VENV)/.test-installed
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

bench: install-test $(VENV)/.bench-installed
	$(BIN)/python -m bench

clean:
	rm -rf build .digest .pytest_cache
