# The README's two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The address in the printed logins and in e-mailed links. Listening on every interface (HOST=0.0.0.0), that is the
# machine's first IPv4 address, so a colleague on the network can follow them. `make run SITE_URL=…` overrides it.
URL_HOST = $(if $(filter 0.0.0.0 ::,$(HOST)),$(or $(shell hostname -I 2>/dev/null | tr ' ' '\n' | grep -v : | head -n1),$(shell hostname)),$(HOST))
SITE_URL ?= http://$(URL_HOST):$(PORT)
# The local demo runs without the MFA requirement and says so on every page; `make run MFA=true` turns it on.
MFA ?= false
# `make test` runs the suite in parallel, one worker per core (pytest-xdist; whole test files per worker, so a
# file's shared fixtures stay together). `make test JOBS=0` runs it in one process.
JOBS ?= auto

.PHONY: run setup test lint check worker beat bench loadtest clean lock

$(BIN)/python:
	@echo "Lager virtuelt Python-miljø i $(VENV) …"
	@$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	@echo "Installerer Python-pakker i $(VENV) (første gang 1–3 min) …"
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

# Re-resolve the newest versions pyproject.toml allows in a scratch venv and pin them in constraints.txt.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e ".[dev]"
	{ head -2 constraints.txt; .venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^-e'; } > constraints.new
	mv constraints.new constraints.txt && rm -rf .venv-lock

node_modules/.installed: package.json package-lock.json
	@echo "Installerer JavaScript-pakker (Designsystemet, axe-core) i node_modules …"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(VENV)/.installed node_modules/.installed

# Our own output ends with the demo logins; only runserver's banner follows them. LAERINGSNETT_RUN_HOST lets the
# server answer on the address it listens on (config/hosts.py); SITE_URL puts that address in e-mailed links.
run: setup
	@mkdir -p staticfiles
	@echo "Oppdaterer databasen (migreringer) …"
	@$(BIN)/python manage.py migrate --noinput --verbosity 0
	@echo "Bygger demodata (første gang ca. 20 s) – Læringsnett starter deretter på $(SITE_URL)/ (Ctrl+C stopper)"
	@SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_demo --url $(SITE_URL)/
	@LAERINGSNETT_RUN_HOST=$(HOST) SITE_URL=$(SITE_URL) LAERINGSNETT_REQUIRE_MFA=$(MFA) \
		$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

worker: setup
	$(BIN)/celery -A config worker --loglevel=INFO

beat: setup
	$(BIN)/celery -A config beat --loglevel=INFO

bench: setup
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Load test, 50 users for 5 min (bench/load/run.py); smoke: make loadtest LOADTEST_ARGS="--users 5 --time 20s"
loadtest: setup
	$(BIN)/python bench/load/run.py $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules var staticfiles
