# The README's two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The local demo runs without the MFA requirement and says so on every page; `make run MFA=true` turns it on.
MFA ?= false

.PHONY: run setup test lint check worker beat bench loadtest clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

# Re-resolve the newest versions pyproject.toml allows in a scratch venv and pin them in constraints.txt.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e ".[dev]"
	{ head -2 constraints.txt; .venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^-e'; } > constraints.new
	mv constraints.new constraints.txt && rm -rf .venv-lock

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed

run: setup
	@mkdir -p staticfiles
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --url http://$(HOST):$(PORT)/
	@echo "Læringsnett kjører på http://$(HOST):$(PORT)/  (Ctrl+C stopper)"
	LAERINGSNETT_REQUIRE_MFA=$(MFA) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
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
