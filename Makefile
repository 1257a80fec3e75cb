# Two commands on a fresh machine: `make run` and `make test`. Each sets up .venv itself.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: run console test lint bench translations screenshots

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

# Every benchmark writes its figures to bench/results/<name>.json, then bench/readme.py rewrites
# the README's benchmark blocks from them (a benchmark without a result keeps its block). A missed
# target is a result: the run goes on and `make bench` fails at the end. broadcast.py runs with
# --paced at 150 ms and 500 ms latency (~100 s each) plus the paid lane (~50 s); mixed.py measures
# 60 s; encryption.py about 3 minutes; scale.py (real processes on a throwaway PostgreSQL, which it
# starts itself like the tests) a few minutes; reminders.py takes ~6; web.py (the dashboard's
# overview with 100,000 subscribers, `allybot web` in a process of its own) about 45 s.
BENCHES ?= core conversations timezones reminders broadcast mixed telegram_adapter discord_adapter \
	encryption scale web

bench: $(READY)
	mkdir -p bench/results
	rm -f bench/results/*.json
	failed=""; for b in $(BENCHES); do \
		case $$b in broadcast) args="--paced --latency 0.15 0.5" ;; *) args= ;; esac; \
		echo "== bench/$$b.py $$args"; \
		$(BIN)/python bench/$$b.py $$args --json bench/results/$$b.json || failed="$$failed $$b"; \
	done; \
	$(BIN)/python bench/readme.py; \
	if [ -n "$$failed" ]; then echo "missed a target or failed:$$failed"; exit 1; fi

# Refresh the message template and the Russian catalog after changing UI strings. Counted texts
# are `ngettext(singular, plural, n)` calls (bot.core.i18n.ngettext_for); pybabel update keeps
# the catalog's Plural-Forms header.
translations: $(READY)
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k _ -k N_ -k gettext:2 -k ngettext:1,2 -o content/locales/allybot.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -D allybot -i content/locales/allybot.pot -d content/locales

# The README's screenshots of the dashboard, taken by the browser tests that walk those pages
# (the real process, real Chromium): each test keeps what it saw in tests/browser/artifacts/.
screenshots: $(READY)
	$(BIN)/pytest -q tests/browser/test_overview.py tests/browser/test_events.py \
		tests/browser/test_broadcasts.py -k "overview or cancelling or compose_preview"
	mkdir -p docs/screenshots
	cp tests/browser/artifacts/overview-desktop.png docs/screenshots/overview.png
	cp tests/browser/artifacts/broadcast-draft.png docs/screenshots/broadcast-composer.png
	cp tests/browser/artifacts/events-desktop.png docs/screenshots/events.png
	cp tests/browser/artifacts/events-phone.png docs/screenshots/events-phone.png
