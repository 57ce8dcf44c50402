# Tianping: two commands. `make run` sets everything up and starts web + worker + beat;
# `make test` runs the whole suite. Both build .venv from requirements.txt when needed.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.requirements.installed
PYTEST_ARGS ?=

.PHONY: run test lint bench bench-api drills messages venv browser-deps migrate seed

# The venv is (re)installed only when requirements.txt differs from the copy kept in the stamp.
venv:
	@if [ ! -x $(BIN)/python ]; then \
		py=$$(command -v python3.11 || true); \
		if [ -z "$$py" ] && command -v python3 >/dev/null \
			&& python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then \
			py=$$(command -v python3); \
		fi; \
		if [ -z "$$py" ]; then echo "Tianping needs Python 3.11 (python3.11 or python3)." >&2; exit 1; fi; \
		echo "Creating $(VENV) with $$py"; \
		"$$py" -m venv $(VENV) || { rm -rf $(VENV); \
			echo "Could not create $(VENV); on Debian/Ubuntu: apt-get install python3.11-venv" >&2; \
			exit 1; }; \
	fi
	@if ! cmp -s requirements.txt $(STAMP); then \
		echo "Installing requirements.txt into $(VENV)"; \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt; \
		cp requirements.txt $(STAMP); \
	fi

# Debian's chromium and CJK fonts for the Playwright browser tests (no browser download).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
				chromium chromium-driver fonts-noto-cjk; \
		else \
			echo "The browser tests need Debian's chromium and fonts-noto-cjk:" >&2; \
			echo "  sudo apt-get install -y chromium chromium-driver fonts-noto-cjk" >&2; \
			exit 1; \
		fi; \
	fi

migrate: venv
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	PATH="$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

test: venv browser-deps
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: venv
	@shopt -s nullglob; scripts=(bench/[!_]*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "No bench/*.py yet."; fi; \
	for script in "$${scripts[@]}"; do \
		echo "== $$script"; $(BIN)/python "$$script"; \
	done

# API load at 100 clients against gunicorn + PostgreSQL (DATABASE_URL's server, or the local
# one); e.g. `make bench-api BENCH_ARGS="--duration 30"`.
bench-api: venv
	$(BIN)/python bench/api_load.py $(BENCH_ARGS)

# Fault drills on a production-shaped stack the script starts (PostgreSQL, its own Redis,
# gunicorn, worker, beat); about 3 minutes. `make drills BENCH_ARGS="--outage 20"`.
drills: venv
	$(BIN)/python bench/drills.py $(BENCH_ARGS)

messages: venv
	$(BIN)/python manage.py makemessages --locale zh_Hans --locale en --ignore '$(VENV)/*'
	$(BIN)/python manage.py compilemessages --ignore '$(VENV)/*'
