# A newcomer's two commands: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= demo-pass-123
DEV := DJANGO_DEBUG=1

.PHONY: run setup test lint bench clean

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

setup: $(VENV)/.stamp-runtime
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
