# Groundswell. Newcomers need two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
GS := $(BIN)/groundswell
STAMP := $(VENV)/.installed

.PHONY: help install run dev test lint pytest bench messages clean-data

help:
	@echo "make run    - install, migrate, seed demo data, serve on http://127.0.0.1:$${PORT:-8000} with the task worker"
	@echo "make test   - lint and the whole test suite (set DATABASE_URL/REDIS_URL to run it against PostgreSQL/Redis)"
	@echo "make dev    - autoreloading development server and task worker (DEBUG on)"
	@echo "make lint   - ruff, import contracts, mypy"
	@echo "make bench  - benchmarks against the machine's ceilings (DB=sqlite|postgres SCALE=0.01 SEED=2008 DURATION=15)"

# Reinstall only when the lock file or project metadata changed.
$(STAMP): requirements.lock pyproject.toml
	@set -e; \
	if [ ! -x $(BIN)/python ]; then \
	  PY=$$(scripts/find-python.sh); \
	  echo "Creating $(VENV) with $$PY"; \
	  "$$PY" -m venv $(VENV); \
	fi; \
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock; \
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .; \
	touch $(STAMP)

install: $(STAMP)

run: install
	@$(GS) serve

dev: install
	@DEBUG=1 $(GS) serve --dev

lint: install
	@$(BIN)/ruff check conftest.py groundswell scripts tests
	@$(BIN)/ruff format --check conftest.py groundswell scripts tests
	@$(BIN)/lint-imports --no-cache
	@$(BIN)/mypy groundswell

pytest: install
	@$(BIN)/pytest -n $${PYTEST_WORKERS:-2} --dist loadgroup -q

test: lint pytest

bench: install
	@$(BIN)/python scripts/bench.py

# Each app keeps its own catalog (groundswell/<app>/locale/fr); compiled .mo files are committed.
APPS_WITH_STRINGS := core geo people accounts api groups events
messages: install
	@for app in $(APPS_WITH_STRINGS); do \
	  [ -d groundswell/$$app ] || continue; \
	  (cd groundswell/$$app && mkdir -p locale && ../../$(GS) makemessages -l fr --no-obsolete -i "tests/*" >/dev/null); \
	done
	@cd groundswell && ../$(GS) compilemessages -l fr >/dev/null

clean-data:
	rm -rf var
