# lowdose — the two commands are `make run` and `make test`; `make check` before each commit.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python web/manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: help run test check lint types fast-tests test-sqlite test-postgres system-deps runtime-deps \
        install install-dev demo migrate openapi bench clean

help:
	@echo "make run    install into .venv, migrate var/lowdose.sqlite3, load the demo clinic, serve on http://$(HOST):$(PORT) with a background worker"
	@echo "make test   install test needs (Debian postgresql + chromium if missing), lint, types, all tests on SQLite and PostgreSQL"
	@echo "make check  ruff, mypy and the fast tests (no browser, SQLite only)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps re-install when pyproject.toml changes.
$(VENV)/.installed-web: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[web]'
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[web,dev]'
	@touch $@ $(VENV)/.installed-web

# The benchmarks' peers (PyMC, PyMARE) are large; only `make bench` installs them.
$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[web,dev,bench]'
	@touch $@ $(VENV)/.installed-web $(VENV)/.installed-dev

install: $(VENV)/.installed-web
install-dev: $(VENV)/.installed-dev

migrate: install
	@mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable

demo: migrate
	$(MANAGE) load_demo
	$(MANAGE) raise_followup_alerts

# Plain HTTP on the loopback address: cookies cannot be marked Secure (LOWDOSE_HTTPS=0).
run: export LOWDOSE_HTTPS ?= 0
run: runtime-deps demo
	$(MANAGE) collectstatic --noinput --verbosity 0
	@$(BIN)/python -m lowdose.kernels  # compiles the numba kernels once (cached after)
	@$(MANAGE) demo_logins
	@echo "Serving lowdose on http://$(HOST):$(PORT)/ with a background worker (Ctrl-C stops both)"
	@scripts/run $(BIN) $(HOST) $(PORT)

system-deps:
	@scripts/system-deps.sh

# What the running app needs from Debian (the visit report's PDF libraries); a warning, not a
# failure, when they cannot be installed.
runtime-deps:
	@scripts/system-deps.sh run

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install-dev
	$(BIN)/mypy src web $(wildcard benchmarks)

fast-tests: install-dev
	$(BIN)/pytest -q -m "not browser and not slow" -n 2 $(PYTEST_ARGS)

check: lint types fast-tests

test-sqlite: install-dev
	$(BIN)/pytest -q -n 2 $(PYTEST_ARGS)

test-postgres: install-dev
	scripts/with-postgres.sh $(BIN)/pytest -q -n 2 $(PYTEST_ARGS)

test: system-deps lint types test-sqlite test-postgres

openapi: install
	$(MANAGE) export_openapi > docs/api/openapi.json

bench: $(VENV)/.installed-bench
	@for b in $(filter-out benchmarks/_% benchmarks/profile_%,$(wildcard benchmarks/*.py)); do \
		echo "== $$b"; $(BIN)/python $$b --json || exit 1; done

clean:
	rm -rf $(VENV) var/ build/ src/*.egg-info
