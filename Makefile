# Two commands from a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# gunicorn's control socket: one per instance (gunicorn otherwise puts every one at ~/.gunicorn/).
CONTROL_SOCKET ?= instance/gunicorn.ctl
FLASK := COURSEWARE_LOG_LEVEL=WARNING $(BIN)/flask --app app
# `make run` serves the demo: demo mode allows the built-in secret key (see README, Configuration).
DEMO := COURSEWARE_DEMO=1

.PHONY: run test lint install install-dev db demo bench screenshots clean translations

# The interface's translations: courseware/translations/<locale>/LC_MESSAGES/messages.po, compiled
# to messages.mo (not kept in git) whenever the .po is newer.
CATALOGUES := $(wildcard courseware/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-bench: requirements-bench.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $@ $(VENV)/.installed

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed $(COMPILED)
install-dev: $(VENV)/.installed-dev $(COMPILED)

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@ >/dev/null

## Extract every marked string into messages.pot and bring each language's catalogue up to date;
## then translate what is new or fuzzy in courseware/translations/<locale>/LC_MESSAGES/messages.po.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location --sort-output --ignore-dirs ".* __pycache__" \
	  --project Courseware --width 100 -o courseware/translations/messages.pot .
	$(BIN)/pybabel update -i courseware/translations/messages.pot -d courseware/translations --width 100 \
	  --ignore-obsolete
	$(MAKE) install

db: install
	$(DEMO) $(FLASK) db upgrade

## The demo accounts and course, and a small generated organisation for the manager's pages.
demo: db
	$(DEMO) $(FLASK) demo load --organisation 60

## Serve the demo at http://127.0.0.1:$(PORT) through gunicorn, with the background worker
## (email and other queued work) beside it; the worker is stopped when gunicorn exits.
run: demo
	@echo "Courseware is at http://127.0.0.1:$(PORT) — log in as learner@example.org / courseware-demo"
	@trap 'kill $$worker $$web 2>/dev/null' EXIT INT TERM; \
	$(DEMO) $(BIN)/flask --app app worker & worker=$$!; \
	$(DEMO) $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 --control-socket $(CONTROL_SOCKET) \
	  --access-logfile - app:app & web=$$!; \
	wait $$web

## Run the whole suite (on PostgreSQL too when TEST_DATABASE_URL is set).
test: install-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Benchmarks on SQLite and PostgreSQL, 10,000 generated learners (README "Performance");
## never part of `make test` or CI. BENCH_ARGS passes options, e.g. BENCH_ARGS="--databases sqlite".
bench: $(VENV)/.installed-bench
	@command -v wrk >/dev/null || { echo "== installing wrk (Debian)"; \
	  (apt-get install -y -qq wrk || (apt-get update -qq && apt-get install -y -qq wrk)) >/dev/null \
	  || { echo "wrk could not be installed: run apt-get install wrk as root"; exit 1; }; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## The README's screenshots (static/screenshots/), made from a fresh demo on a server of their own,
## with Playwright driving the system's Chromium (/usr/bin/chromium; CHROMIUM=... for another).
CHROMIUM ?= /usr/bin/chromium
screenshots: install-dev
	$(DEMO) $(FLASK) demo screenshots --chromium $(CHROMIUM)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
