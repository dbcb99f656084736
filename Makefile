# Pexip room kiosk: `make demo` and `make test` set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
# Kivy's SDL2 window needs GL/EGL and mtdev; the provisioning tests need shellcheck,
# debootstrap, systemd and python3-apt; chromium is the libwebrtc far end of the tests
# and the bar of bench/vs_chromium.py.
SYSTEM_PACKAGES := libgl1 libegl1 libmtdev1 libportaudio2 shellcheck debootstrap systemd python3-apt chromium
SYSTEM_STAMP := $(VENV)/.system-packages

.PHONY: demo test test-provisioning lint system-packages venv bench clean

demo: venv system-packages
	$(VENV)/bin/pexip-kiosk demo

test: venv system-packages
	$(VENV)/bin/ruff check kiosk tests bench
	$(PY) -m pytest

test-provisioning: venv system-packages
	$(PY) -m pytest tests/provisioning -m slow

lint: venv
	$(VENV)/bin/ruff check kiosk tests bench

# Each bench prints one JSON object (see README, Performance); the clips are made once.
bench: venv system-packages
	$(PY) bench/join_latency.py
	$(PY) bench/call_cost.py
	$(PY) bench/capture_cost.py
	$(PY) bench/ui_cost.py
	$(PY) bench/presentation_cost.py
	$(PY) bench/calendar_cost.py
	$(PY) bench/vs_chromium.py --kiosk call,app

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	touch $(STAMP)

# Installs what is missing when run as root; otherwise prints the exact command.
system-packages: $(SYSTEM_STAMP)

$(SYSTEM_STAMP): Makefile
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        echo "Installing system packages: $$missing"; \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	    else \
	        echo "Missing system packages. Run:"; \
	        echo "  sudo apt-get install -y $$missing"; \
	        exit 1; \
	    fi; \
	fi
	@mkdir -p $(VENV) && touch $(SYSTEM_STAMP)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
