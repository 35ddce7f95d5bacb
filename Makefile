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
# Where readers reach the demo: DEMO_ADDR as a URL (a port alone is runserver's 127.0.0.1,
# 0.0.0.0 is reached as localhost). Every absolute URL of the demo starts with it.
DEMO_URL ?= http://$(patsubst 0.0.0.0:%,localhost:%,$(if $(findstring :,$(DEMO_ADDR)),$(DEMO_ADDR),127.0.0.1:$(DEMO_ADDR)))
AUDIT_URL ?= $(DEMO_URL)
AUDIT_ARGS ?=
LANGUAGES := ja en zh_Hans es fr ko de th hi
# PyICU (the search's word breaks) is built against ICU: its headers, pkg-config and g++.
RUNTIME_SYSTEM_PACKAGES := libicu-dev pkg-config g++
TEST_SYSTEM_PACKAGES := postgresql chromium fonts-noto-cjk fonts-noto-core gettext varnish redis-server systemd
# make bench: a throwaway PostgreSQL, Redis as the cache, wrk as the load generator.
BENCH_SYSTEM_PACKAGES := postgresql redis-server wrk gettext
BENCH_ARGS ?=

RUNTIME_STAMP := $(VENV)/.stamp-install
RUNTIME_LOCK := requirements.lock
TEST_LOCK := requirements-test.lock
TEST_STAMP := $(VENV)/.stamp-install-test
# The typed TypeScript client of the API: openapi-typescript and TypeScript from npm, at the
# versions of its package-lock.json, for the tests that generate and type-check it.
TS_CLIENT := examples/typescript
TS_CLIENT_STAMP := $(TS_CLIENT)/node_modules/.package-lock.json

# The demo always uses the default settings (cms.settings.dev) and SQLite. The site
# (load_demo), the API's links and the images' URLs all say the address it is served at.
DEMO_ENV = env -u DATABASE_URL -u DJANGO_SETTINGS_MODULE \
	WAGTAILADMIN_BASE_URL=$(DEMO_URL) WAGTAILAPI_BASE_URL=$(DEMO_URL)

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
	lock audit messages compile-messages clean serve bench audit-pages cluster

help: ## List the targets
	@echo "ukiyo make targets:"
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  %-14s %s\n", $$1, $$2}'
	@echo "Variables: PYTEST_ARGS='...' (extra pytest arguments), DEMO_ADDR=$(DEMO_ADDR)," \
		"DEMO_URL=$(DEMO_URL) (the demo's address in its links)," \
		"BENCH_ARGS='...' (scripts/bench_http.py --help), AUDIT_URL=$(AUDIT_URL)"

# --- Virtualenv and dependencies ------------------------------------------------

$(PY):
	@$(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1 || { $(call ensure-debs,python3-venv); }
	$(PYTHON) -m venv $(VENV)

# Installs exactly the versions (and files, by hash) in the lockfile, then ukiyo itself
# without dependencies. `make lock` regenerates the lockfiles from pyproject.toml. A lockfile
# holds every dependency, so pip installs it as it is (--no-deps) and `pip check` confirms
# that nothing is missing: resolving again let a dependency asked for with extras
# (pip-audit's CacheControl[filecache], Wagtail's Willow[heif]) reach for a release newer than
# the lock, which hash-checking mode refuses, and the install failed the day one came out.
$(RUNTIME_STAMP): pyproject.toml $(RUNTIME_LOCK) | $(PY)
	@$(call ensure-debs,$(RUNTIME_SYSTEM_PACKAGES))
	$(PIP) install --require-hashes --no-deps -r $(RUNTIME_LOCK)
	$(PIP) install --no-deps -e .
	$(PIP) check
	@touch $@

# The test lockfile includes the runtime dependencies: it satisfies both stamps.
$(TEST_STAMP): pyproject.toml $(TEST_LOCK) | $(PY)
	@$(call ensure-debs,$(RUNTIME_SYSTEM_PACKAGES))
	$(PIP) install --require-hashes --no-deps -r $(TEST_LOCK)
	$(PIP) install --no-deps -e .
	$(PIP) check
	@touch $@ $(RUNTIME_STAMP)

install: $(RUNTIME_STAMP) ## Create .venv and install the runtime dependencies
	@:

system-test-deps:
	@$(call ensure-debs,$(TEST_SYSTEM_PACKAGES))

# npm from Debian only where none is installed: Node.js from other sources ships its own npm,
# and its package conflicts with Debian's.
$(TS_CLIENT_STAMP): $(TS_CLIENT)/package.json $(TS_CLIENT)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { $(call ensure-debs,npm); }
	cd $(TS_CLIENT) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

install-test: system-test-deps $(TEST_STAMP) $(TS_CLIENT_STAMP) ## install + test dependencies + system packages (PostgreSQL, Chromium, fonts, gettext, Varnish, Redis, systemd-analyze, npm)
	@:

# --- Demo -----------------------------------------------------------------------

demo: install compile-messages ## Migrate, load the demo content and run the dev server on SQLite (DEMO_ADDR=127.0.0.1:8000)
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py load_demo
	@echo "The site: $(DEMO_URL)/   the admin: $(DEMO_URL)/admin/"
# The webhook worker runs beside the server and stops with it.
	$(DEMO_ENV) $(PY) manage.py db_worker --backend worker --queue-name '*' --no-reload & \
		worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
		$(DEMO_ENV) $(PY) manage.py runserver $(DEMO_ADDR)

reset-demo: ## Delete the demo database (db.sqlite3) and media/, then run demo again
	rm -f db.sqlite3 db.sqlite3-journal db.sqlite3-wal db.sqlite3-shm
	rm -rf media
	$(MAKE) demo

# --- Production ------------------------------------------------------------------

# scripts/serve: migrate, collectstatic, compilemessages, then gunicorn (cms/gunicorn.conf.py).
# Settings and server read the environment: docs/configuration.md, "Running in production".
serve: install compile-messages ## Run in production mode: migrate, collectstatic, then gunicorn (configured by the environment)
	scripts/serve

# The production server on a throwaway PostgreSQL with the demo, Redis as its cache, loaded
# by wrk: requests per second and latency of each page beside a bare Django view.
bench: install compile-messages ## Load-test the production server with wrk, every page beside a bare view (BENCH_ARGS='--duration 20')
	@$(call ensure-debs,$(BENCH_SYSTEM_PACKAGES))
	$(PY) scripts/bench_http.py $(BENCH_ARGS)

# Every process of a multi-server ukiyo on this machine (scripts/cluster): a throwaway
# PostgreSQL, Redis, moto's S3 server, two app servers, the worker, Varnish in front.
# moto comes with the test dependencies. Ctrl-C stops everything.
cluster: install-test compile-messages ## Start a cluster in a box: PostgreSQL, Redis, S3, two app servers, a worker, Varnish (Ctrl-C stops it)
	PYTHON=$(PY) scripts/cluster

# --- Tests and code quality -----------------------------------------------------

# Runs pytest against a throwaway PostgreSQL (scripts/with-postgres; uses $DATABASE_URL
# instead if set).
# TEST_PROCESSES: pytest-xdist's processes, each with its own test database, each taking the
# tests in pytest-django's order (the tests that flush the database after all the others).
# TEST_PROCESSES=0: one process. The 25 slowest tests are listed at the end: the suite must
# stay under 25 minutes on 2 cores.
TEST_PROCESSES ?= 2
test: install-test compile-messages ## Run the test suite on a throwaway PostgreSQL (PYTEST_ARGS='-k foo' to select, TEST_PROCESSES=2)
	scripts/with-postgres $(PY) -m pytest -n $(TEST_PROCESSES) --durations=25 $(PYTEST_ARGS)

# The .mo files are built, not committed: msgfmt comes from Debian's gettext.
compile-messages: install
	@$(call ensure-debs,gettext)
	$(PY) manage.py compilemessages $(I18N_IGNORE)

lint: $(TEST_STAMP) ## ruff check, ruff format --check, and the import contracts (lint-imports)
	$(RUFF) check .
	$(RUFF) format --check .
	$(VENV)/bin/lint-imports

# pip-compile keeps the versions already pinned in a lockfile when they still satisfy
# pyproject.toml: after a change there, only what it asks for moves. To take every
# dependency's newest release, delete the lockfiles first.
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host

lock: $(TEST_STAMP) ## Regenerate requirements.lock and requirements-test.lock from pyproject.toml
	$(PIP_COMPILE) --extra test -o $(TEST_LOCK) pyproject.toml
	@[ -f $(RUNTIME_LOCK) ] || cp $(TEST_LOCK) $(RUNTIME_LOCK)
	$(PIP_COMPILE) -c $(TEST_LOCK) -o $(RUNTIME_LOCK) pyproject.toml

audit: $(TEST_STAMP) ## pip-audit the locked versions against PyPI's advisory data (AUDIT_REQUIRED=1: fail if it is unreachable)
	scripts/audit $(TEST_LOCK)

# Lighthouse and axe-core come from npm (scripts/audit-pages/package-lock.json), installed
# into .cache/audit-pages/ on the first run; not part of `make test` (npm, minutes of runs).
audit-pages: $(TEST_STAMP) ## Lighthouse (mobile) + axe on every reader page type of a running site (AUDIT_URL=..., AUDIT_ARGS='--languages=ja,en')
	@$(call ensure-debs,chromium)
	@# npm from Debian only where none is installed: Node.js from other sources ships its own
	@# npm, and its package conflicts with Debian's.
	@command -v npm >/dev/null 2>&1 || { $(call ensure-debs,npm); }
	$(PY) scripts/audit_pages.py $(AUDIT_ARGS) $(AUDIT_URL)

format: $(TEST_STAMP) ## ruff format + ruff check --fix
	$(RUFF) format .
	$(RUFF) check --fix .

messages: install ## Extract translatable strings for all languages and compile the catalogs
	@$(call ensure-debs,gettext)
	mkdir -p locale
	$(PY) manage.py makemessages $(I18N_IGNORE) $(addprefix -l ,$(LANGUAGES))
	$(PY) manage.py compilemessages $(I18N_IGNORE)

vendor-catalogs: install ## Refresh locale-vendor/: what Wagtail and wagtail-localize leave untranslated
	$(PY) scripts/vendor_catalogs.py
	$(PY) manage.py compilemessages $(I18N_IGNORE)

clean: ## Remove caches (__pycache__, .pytest_cache, .ruff_cache) and test-output/
	find . \( -path ./.venv -o -path ./node_modules -o -path ./.git \) -prune \
		-o -type d -name __pycache__ -prune -exec rm -rf {} +
	rm -rf test-output .pytest_cache .ruff_cache
