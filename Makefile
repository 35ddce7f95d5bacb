# ukiyo: the one entry point. `make` lists the targets.
#
# Works from a fresh clone on Debian 12 as root (system packages are installed with
# apt-get when missing; as a normal user through sudo). Python dependencies live in
# .venv; stamp files in .venv make a second run skip pip unless pyproject.toml changed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
RUFF := $(VENV)/bin/ruff

PYTEST_ARGS ?=
DEMO_ADDR ?= 127.0.0.1:8000
LANGUAGES := ja en zh_Hans es fr ko de th hi
TEST_SYSTEM_PACKAGES := postgresql chromium fonts-noto-cjk fonts-noto-core gettext

RUNTIME_STAMP := $(VENV)/.stamp-install
TEST_STAMP := $(VENV)/.stamp-install-test

# The demo always uses the default settings (cms.settings.dev) and SQLite.
DEMO_ENV := env -u DATABASE_URL -u DJANGO_SETTINGS_MODULE

# Directories never searched for translations or caches.
I18N_IGNORE := --ignore=.venv --ignore=node_modules --ignore=tests --ignore=scripts

# $(call ensure-debs,pkg ...): apt-get install the packages that are not installed yet.
define ensure-debs
missing=""; \
	if ! command -v dpkg >/dev/null 2>&1; then \
		echo "Not a Debian system: make sure these are installed: $(1)"; exit 0; \
	fi; \
	for p in $(1); do \
		dpkg -s "$$p" 2>/dev/null | grep -E '^Status: [a-z]+ ok installed$$' >/dev/null || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
		echo "Installing system packages:$$missing"; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi
endef

.PHONY: help demo reset-demo install install-test system-test-deps test lint format \
	messages compile-messages clean

help: ## List the targets
	@echo "ukiyo make targets:"
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  %-14s %s\n", $$1, $$2}'
	@echo "Variables: PYTEST_ARGS='...' (extra pytest arguments), DEMO_ADDR=$(DEMO_ADDR)"

# --- Virtualenv and dependencies ------------------------------------------------

$(PY):
	@$(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1 || { $(call ensure-debs,python3-venv); }
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): pyproject.toml | $(PY)
	$(PIP) install -e .
	@touch $@

# The test extra includes the runtime dependencies: it satisfies both stamps.
$(TEST_STAMP): pyproject.toml | $(PY)
	$(PIP) install -e ".[test]"
	@touch $@ $(RUNTIME_STAMP)

install: $(RUNTIME_STAMP) ## Create .venv and install the runtime dependencies
	@:

system-test-deps:
	@$(call ensure-debs,$(TEST_SYSTEM_PACKAGES))

install-test: system-test-deps $(TEST_STAMP) ## install + test dependencies + system packages (PostgreSQL, Chromium, fonts, gettext)
	@:

# --- Demo -----------------------------------------------------------------------

demo: install compile-messages ## Migrate, load the demo content and run the dev server on SQLite (http://127.0.0.1:8000)
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py load_demo
	@echo "The site: http://$(DEMO_ADDR)/   the admin: http://$(DEMO_ADDR)/admin/"
# The webhook worker runs beside the server and stops with it.
	$(DEMO_ENV) $(PY) manage.py db_worker --backend webhooks --queue-name webhooks --no-reload & \
		worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
		$(DEMO_ENV) $(PY) manage.py runserver $(DEMO_ADDR)

reset-demo: ## Delete the demo database (db.sqlite3) and media/, then run demo again
	rm -f db.sqlite3 db.sqlite3-journal db.sqlite3-wal db.sqlite3-shm
	rm -rf media
	$(MAKE) demo

# --- Tests and code quality -----------------------------------------------------

# Runs pytest against a throwaway PostgreSQL (scripts/with-postgres; uses $DATABASE_URL
# instead if set).
test: install-test compile-messages ## Run the test suite on a throwaway PostgreSQL (PYTEST_ARGS='-k foo' to select)
	scripts/with-postgres $(PY) -m pytest $(PYTEST_ARGS)

# The .mo files are built, not committed: msgfmt comes from Debian's gettext.
compile-messages: install
	@$(call ensure-debs,gettext)
	$(PY) manage.py compilemessages $(I18N_IGNORE)

lint: $(TEST_STAMP) ## ruff check, ruff format --check, and the import contracts (lint-imports)
	$(RUFF) check .
	$(RUFF) format --check .
	$(VENV)/bin/lint-imports

format: $(TEST_STAMP) ## ruff format + ruff check --fix
	$(RUFF) format .
	$(RUFF) check --fix .

messages: install ## Extract translatable strings for all languages and compile the catalogs
	@$(call ensure-debs,gettext)
	mkdir -p locale
	$(PY) manage.py makemessages $(I18N_IGNORE) $(addprefix -l ,$(LANGUAGES))
	$(PY) manage.py compilemessages $(I18N_IGNORE)

clean: ## Remove caches (__pycache__, .pytest_cache, .ruff_cache) and test-output/
	find . \( -path ./.venv -o -path ./node_modules -o -path ./.git \) -prune \
		-o -type d -name __pycache__ -prune -exec rm -rf {} +
	rm -rf test-output .pytest_cache .ruff_cache
