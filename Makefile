# Two commands for a fresh machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# Local runs get a generated secret key kept in var/ (git-ignored); production sets SECRET_KEY.
RUN_ENV = SECRET_KEY="$$(cat var/secret_key)" ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" EMAIL_BACKEND="$${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}"

.PHONY: run test install lint format messages bench bench-sqlite bench-run bench-instructions loadtest

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

var/secret_key:
	mkdir -p var
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

run: install var/secret_key
	@# Quiet: the sign-in printed below is what a person needs to see, not every migration
	@# (the server's own start-up checks run after it anyway).
	@$(RUN_ENV) $(BIN)/python manage.py migrate --noinput --verbosity 0 --skip-checks
	@$(RUN_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0 --skip-checks
	@$(RUN_ENV) $(BIN)/python manage.py load_demo_data --if-empty
	@echo ""
	@echo "  Harbor CRM is starting on http://$(HOST):$(PORT)/"
	@echo "  Sign in with user name: demo   password: harbor-demo   (System Administrator)"
	@echo "  Other roles: alex / harbor-alex (Salesperson, Sales North, team North Key Accounts),"
	@echo "  mia / harbor-mia (Sales Manager, Sales North), sol / harbor-sol (Salesperson, Sales South),"
	@echo "  rita / harbor-rita (Read-only)"
	@echo ""
	@# The background worker (imports, large exports) runs beside the web server and stops with it.
	$(RUN_ENV) $(BIN)/python manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The French catalogue (locale/fr/LC_MESSAGES): collect every translatable string of the source
# into django.po (new ones come in with an empty translation, changed ones marked fuzzy: the
# catalogue test lists both until they are translated), then compile django.mo. The compiled
# file is committed, so `make run` works on a machine without gettext; this target needs it
# (Debian: apt-get install gettext). The files scanned are set in crm's makemessages command.
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages --locale fr
	DEBUG=1 $(BIN)/python manage.py compilemessages --locale fr --ignore '.venv/*'

# Performance benchmark (issue 7): generates SCALE accounts + SCALE contacts once, then times
# lists, quick find, detail pages and the admin changelist with production-like settings, and
# measures exports and imports (side by side with django-import-export and COPY).
# BENCH_ARGS="--sections exports,imports" picks sections.
SCALE ?= 1000000
SQLITE_SCALE ?= 20000
REPEAT ?= 30
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/crm_bench
BENCH_ARGS ?=
# The benchmark package (bench/) is installed by its own settings only, never in production.
BENCH_ENV = SECRET_KEY="$$(cat var/secret_key)" ALLOWED_HOSTS=testserver,127.0.0.1,localhost DEBUG=0 DJANGO_SETTINGS_MODULE=bench.settings

bench: install var/secret_key
	url="$${DATABASE_URL:-$(BENCH_DATABASE_URL)}"; \
	$(BIN)/python -m bench.createdb "$$url" && \
	$(BENCH_ENV) DATABASE_URL="$$url" $(MAKE) --no-print-directory bench-run

bench-sqlite: install var/secret_key
	$(BENCH_ENV) DATABASE_URL="sqlite:///$(CURDIR)/var/bench/crm_bench.sqlite3" \
	  $(MAKE) --no-print-directory bench-run SCALE=$(SQLITE_SCALE)

bench-run:
	mkdir -p var/bench
	$(BIN)/python manage.py migrate --noinput --verbosity 0
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py bench --scale $(SCALE) --repeat $(REPEAT) $(BENCH_ARGS)

# Instructions per request of one page (valgrind's callgrind), to compare code on a host whose
# speed moves: PAGE=/accounts/1/ AS=bench REQUESTS=20 (bench/instructions.py).
PAGE ?= /
AS ?= bench
REQUESTS ?= 20
bench-instructions: install var/secret_key
	command -v valgrind >/dev/null || (apt-get update -qq && apt-get install -y -qq valgrind >/dev/null)
	$(BENCH_ENV) DATABASE_URL="$${DATABASE_URL:-$(BENCH_DATABASE_URL)}" \
	  $(BIN)/python -m bench.instructions --page "$(PAGE)" --as "$(AS)" --requests $(REQUESTS)

# Load test (issue 13): gunicorn with gunicorn.conf.py plus the background worker on 127.0.0.1,
# then 10 and 50 concurrent signed-in salespeople for LOADTEST_SECONDS each (bench/loadtest.py).
LOADTEST_DATABASE_URL ?= $(BENCH_DATABASE_URL)
LOADTEST_SCALE ?= $(SCALE)
LOADTEST_SECONDS ?= 60
LOADTEST_CLIENTS ?= 10,50
LOADTEST_PORT ?= 8099

loadtest: install var/secret_key
	url="$${DATABASE_URL:-$(LOADTEST_DATABASE_URL)}"; \
	$(BIN)/python -m bench.createdb "$$url" && \
	$(BENCH_ENV) DJANGO_SETTINGS_MODULE=crm.settings $(BIN)/python -m bench.loadtest --database-url "$$url" --scale $(LOADTEST_SCALE) \
	  --duration $(LOADTEST_SECONDS) --clients $(LOADTEST_CLIENTS) --port $(LOADTEST_PORT)
