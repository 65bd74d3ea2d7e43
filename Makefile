# A newcomer's two commands: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= demo-pass-123
DEV := DJANGO_DEBUG=1

# `make run` and `make setup` are for a newcomer's machine: DEBUG on, the checkout's SQLite
# file, demo accounts whose password is printed. In a shell with a production environment
# loaded (docs/deployment.md) they put those accounts in the production database, so they
# refuse to run there. Refused, not quietly run without DATABASE_URL: a production on SQLite
# uses this same db.sqlite3, so only the refusal keeps demo accounts out of every production.
PRODUCTION_ENV := $(strip $(if $(DATABASE_URL),DATABASE_URL) $(if $(DJANGO_SECRET_KEY),DJANGO_SECRET_KEY) \
	$(if $(filter-out 1 true True TRUE yes on,$(DJANGO_DEBUG)),DJANGO_DEBUG=$(DJANGO_DEBUG)))
define DEV_ONLY
make run and make setup are for development (DEBUG on, the checkout's db.sqlite3, demo accounts with a
published password), and this shell has a production environment: $(PRODUCTION_ENV). Run them in a shell
without it (env -u DATABASE_URL -u DJANGO_SECRET_KEY -u DJANGO_DEBUG make run); for a server, see docs/deployment.md
endef

.PHONY: run setup dev-only test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.stamp-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@ $(VENV)/.stamp-runtime

$(VENV)/.stamp-bench: requirements.txt requirements-dev.txt requirements-bench.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-bench.txt
	touch $@ $(VENV)/.stamp-dev $(VENV)/.stamp-runtime

dev-only:
ifneq ($(PRODUCTION_ENV),)
	$(error $(DEV_ONLY))
endif

setup: dev-only $(VENV)/.stamp-runtime
	$(DEV) $(BIN)/python manage.py migrate --noinput -v0
	$(DEV) $(BIN)/python manage.py load_cases
	$(DEV) $(BIN)/python manage.py seed_demo --password "$(DEMO_PASSWORD)"

run: setup
	@echo ""
	@echo "  Open http://$(HOST):$(PORT)/ and log in as demo-student (learner) or demo-instructor,"
	@echo "  password: $(DEMO_PASSWORD). Stop with Ctrl-C."
	@echo ""
	$(DEV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.stamp-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.stamp-runtime
	$(DEV) $(BIN)/python manage.py lint_cases

bench: $(VENV)/.stamp-bench
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles .pytest_cache bench/.data
