# Voxify: `make run` serves on the embedded default; `make test` runs lint, types and the suite
# on both run modes. Each sets itself up: .venv, pinned requirements (torch first), migrations.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python

# The real services of a production-like deployment on this machine. Connections are not kept
# between requests in tests, so no thread of the test process holds the test database open.
SERVICES_ENV := DATABASE_URL=postgres://postgres@127.0.0.1:5432/voxify DATABASE_CONN_MAX_AGE=0 \
	REDIS_URL=redis://127.0.0.1:6379/15 \
	CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672// \
	SECRET_KEY=test-services-secret-key-not-for-production-0123456789abcdefghijklmnop \
	JWT_SIGNING_KEY=test-services-jwt-key-not-for-production-0123456789abcdefghijklmnop \
	SECURE_SSL_REDIRECT=false VOXIFY_VAR_DIR=$(CURDIR)/var/test-services

.PHONY: install run test lint typecheck browser test-embedded test-services services schema protos screenshot bench-scale nginx

INSTALL_INPUTS := requirements.txt requirements-dev.txt requirements-nodeps.txt clients/python/pyproject.toml scripts/install.sh
REQ_HASH := $(shell cat $(INSTALL_INPUTS) | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(REQ_HASH)

# The runtime packages (the image installs the same with scripts/install.sh, without --dev), then
# the test, lint and type-check tools and the SDK.
$(STAMP): $(INSTALL_INPUTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	bash scripts/install.sh $(PY) --dev
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py serve

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy .

test-embedded: install
	VOXIFY_VAR_DIR=$(CURDIR)/var/test $(VENV)/bin/pytest

services:
	bash scripts/ensure_services.sh

test-services: install services
	$(SERVICES_ENV) $(PY) scripts/with_test_servers.py $(VENV)/bin/pytest

# Browser tests drive Debian's chromium (Playwright, pointed at /usr/bin/chromium); chromium and
# chromium-driver are installed here when missing (root and the Debian mirror).
browser:
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update -q && apt-get install -y -q chromium chromium-driver)

# nginx checks deploy/nginx.conf (tests/deploy/test_compose.py); Debian's nginx-light, not started.
nginx:
	command -v nginx >/dev/null || (apt-get update -q && apt-get install -y -q --no-install-recommends nginx-light)

test: lint typecheck browser nginx test-embedded test-services

# Regenerate the committed OpenAPI schema after changing the API.
schema: install
	VOXIFY_VAR_DIR=$(CURDIR)/var/test $(PY) manage.py spectacular --file docs/openapi.yaml --validate

# Regenerate the gRPC code from grpc_server/protos/*.proto (a test fails while it is stale).
protos: install
	$(PY) -m grpc_tools.protoc -I. --python_out=. --pyi_out=. --grpc_python_out=. grpc_server/protos/*.proto

# Headless-Chromium screenshots of the admin stats dashboard and of every Studio page (the
# browser tests): var/screenshots/*.png. Installs Debian's chromium when it is missing.
screenshot: install browser
	SCREENSHOT_DIR=$(CURDIR)/var/screenshots VOXIFY_VAR_DIR=$(CURDIR)/var/test \
		$(VENV)/bin/pytest -q tests/operations/test_dashboard_screenshot.py tests/studio/test_browser.py

# Throughput with 1 and 2 web and worker processes on the real services (bench/scale.py, its own
# database voxify_bench): bench/results/scale.md. Takes about 15 minutes.
bench-scale: install services
	$(SERVICES_ENV) DATABASE_URL=postgres://postgres@127.0.0.1:5432/voxify_bench \
		$(PY) scripts/with_test_servers.py $(PY) bench/scale.py $(BENCH_ARGS)
