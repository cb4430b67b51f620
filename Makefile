# Two commands do all set-up on a fresh Debian machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages the service needs (OCR, CJK fonts and Pango for PDF letters) and those only tests need
# (real IMAP, PostgreSQL, Redis, a browser and the Kannel SMS gateway with its fake SMS centre).
RUN_APT := tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-chi-sim tesseract-ocr-osd \
           fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 python3-venv
TEST_APT := dovecot-imapd postgresql redis-server chromium poppler-utils fonts-arphic-ukai fonts-arphic-gkai00mp \
            kannel kannel-extras sox libsox-fmt-mp3 libsox-fmt-all

.PHONY: run test system-run system-test venv venv-test translations clean
.DEFAULT_GOAL := run

# Install only what is missing, so a second run costs nothing.
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

system-run:
	$(call apt_install,$(RUN_APT))

system-test: system-run
	$(call apt_install,$(TEST_APT))

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-installed: requirements.txt requirements-nodeps.txt | $(VENV)/bin/python
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -r requirements-nodeps.txt
	touch $@

$(VENV)/.test-installed: requirements-test.txt requirements.txt $(VENV)/.run-installed
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-test.txt
	touch $@

venv: $(VENV)/.run-installed
venv-test: $(VENV)/.test-installed

translations: venv
	$(VENV)/bin/pybabel compile -d web/translations

run: system-run venv translations
	$(VENV)/bin/flask --app web db upgrade
	$(VENV)/bin/flask --app web demo load
	@echo "Serving on http://127.0.0.1:5000 (Ctrl+C stops the web server and the worker)"
	@$(VENV)/bin/flask --app web worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn --chdir $(CURDIR) --bind 127.0.0.1:5000 --workers 1 --threads 8 \
	  --access-logfile - 'web:create_app()'

# One test process per core (each starts its own throwaway servers); idle processes take tests from busy ones.
TEST_PROCESSES ?= auto
PYTEST := $(PY) -m pytest -n $(TEST_PROCESSES) --dist worksteal

test: system-test venv-test translations
	$(PYTEST)
	@echo "--- the same app tests on PostgreSQL ---"
	TEST_DATABASE=postgres $(PYTEST)

clean:
	rm -rf $(VENV) instance .pytest_cache
