# Pexip room kiosk: `make demo` and `make test` set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
# Kivy's SDL2 window needs GL/EGL and mtdev; the provisioning tests need shellcheck,
# debootstrap, systemd and python3-apt; chromium is the libwebrtc far end of the tests
# and the bar of bench/vs_chromium.py; the fleet dashboard's test runs its queries on a
# real Prometheus.
SYSTEM_PACKAGES := libgl1 libegl1 libmtdev1 libportaudio2 shellcheck debootstrap systemd python3-apt \
    chromium prometheus
SYSTEM_STAMP := $(VENV)/.system-packages

.PHONY: demo test test-provisioning lint system-packages venv bench clean \
	i18n i18n-extract i18n-update i18n-compile i18n-init screenshots

# Translations (Babel): `make i18n` extracts every marked text into the template,
# merges it into each language's .po and compiles the .mo files that ship in the
# package (committed: installing needs no network and no Babel step).
LOCALE_DIR := kiosk/i18n/locale
POT := $(LOCALE_DIR)/kiosk.pot
I18N_KEYWORDS := -k _ -k N_ -k ngettext:1,2 -k fixed_message:2 -k MessageText:2 -k PluralText:2,3
PYBABEL := $(VENV)/bin/pybabel

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

i18n: i18n-extract i18n-update i18n-compile

i18n-extract: venv
	mkdir -p $(LOCALE_DIR)
	$(PYBABEL) extract -F babel.cfg $(I18N_KEYWORDS) --no-location --sort-output \
	    --add-comments=Translators: --project=pexip-room-kiosk --copyright-holder="Pexip room kiosk authors" \
	    --msgid-bugs-address="" -o $(POT) .

i18n-update: venv
	$(PYBABEL) update -i $(POT) -d $(LOCALE_DIR) -D kiosk --no-fuzzy-matching --ignore-obsolete

i18n-compile: venv
	$(PYBABEL) compile -d $(LOCALE_DIR) -D kiosk --statistics

# The autopilot's screenshots of every screen in every language (SHOTS/<language>/), then
# German (the longest words) at text scale 1.4 in each theme (SHOTS/de-1.4-<theme>/);
# each run's report (with any text that did not fit) in SHOTS/<run>.jsonl.
SHOTS ?= demo-screenshots
LANGUAGES := en de fr es it nl nb sv pt
screenshots: venv system-packages
	mkdir -p $(SHOTS)
	set -e; for lang in $(LANGUAGES); do \
	    KIOSK_LANGUAGE=$$lang $(VENV)/bin/pexip-kiosk demo --autopilot --screenshots $(SHOTS)/$$lang \
	    > $(SHOTS)/$$lang.jsonl; done
	set -e; for theme in dark light high-contrast; do \
	    KIOSK_LANGUAGE=de KIOSK_TEXT_SCALE=1.4 KIOSK_THEME=$$theme $(VENV)/bin/pexip-kiosk demo \
	    --autopilot --screenshots $(SHOTS)/de-1.4-$$theme > $(SHOTS)/de-1.4-$$theme.jsonl; done
	@grep -h '"autopilot"' $(SHOTS)/*.jsonl | $(PY) -c 'import json, sys; \
	    runs = [json.loads(line) for line in sys.stdin]; \
	    print(sum(r["result"] == "passed" for r in runs), "of", len(runs), "autopilot runs passed;", \
	          sum(len(r.get("overflows", [])) for r in runs), "texts did not fit")'

# A new language: make i18n-init LANGUAGE=xx (then translate kiosk/i18n/locale/xx/...kiosk.po).
i18n-init: venv
	$(PYBABEL) init -i $(POT) -d $(LOCALE_DIR) -D kiosk -l $(LANGUAGE)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
