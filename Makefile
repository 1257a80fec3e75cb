# Two commands on a fresh machine: `make run` and `make test`. Each sets up .venv itself.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: run console test lint bench translations

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(READY)

run: $(READY)
	$(BIN)/allybot run

console: $(READY)
	$(BIN)/allybot console

test: $(READY)
	$(BIN)/pytest

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(READY)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

# Refresh the message template and the Russian catalog after changing UI strings. Counted texts
# are `ngettext(singular, plural, n)` calls (bot.core.i18n.ngettext_for); pybabel update keeps
# the catalog's Plural-Forms header.
translations: $(READY)
	$(BIN)/pybabel extract --no-location --sort-output -k _ -k N_ -k gettext:2 -k ngettext:1,2 -o content/locales/allybot.pot bot handlers
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -D allybot -i content/locales/allybot.pot -d content/locales
