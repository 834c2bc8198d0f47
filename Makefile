# crowdeval: `make run` (the demo) and `make test` (the suite on real PostgreSQL and Redis).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

LOCK := requirements/dev.lock

.PHONY: install lock run test check bench clean

# Everything is installed from the lock (exact versions with their hashes), never resolved anew:
# a fresh machine gets the versions the suite last passed with. `make lock` refreshes it.
$(STAMP): $(LOCK)
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq python3-venv && \
	  rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	@echo "installing crowdeval into $(VENV)" >&2
	@$(BIN)/python -m pip install -q --require-hashes --no-deps -r $(LOCK) >&2
	@touch $(STAMP)

install: $(STAMP)

# Resolve pyproject.toml again (for every platform and Python >= 3.11) into the two locks: dev
# (the suite, `make run`) and runtime (the image), the latter pinned to the same versions.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
	  --python-version 3.11 -q --custom-compile-command "make lock" -o requirements/dev.lock
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 \
	  -q --custom-compile-command "make lock" -c requirements/dev.lock -o requirements/runtime.lock

# Beside the server, run_schedule runs what production's beat schedules (scoring, lease sweep);
# the trap stops it when the server stops.
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py demo
	@$(BIN)/python manage.py run_schedule & schedule=$$!; \
	trap 'kill $$schedule 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	@bin/ensure-browser
	PG_FAST=1 bin/with-services $(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: $(STAMP)
	@bin/with-services $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info test-artifacts
