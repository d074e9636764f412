# egov-kiosk: `make demo` and `make test` set up whatever is missing, then run.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
TS := $(wildcard ui/i18n/*.ts)
QM := $(TS:.ts=.qm)

.PHONY: demo test setup system screens bench-startup clean

demo: setup
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
	  echo "No display found. To run the kiosk on a virtual screen:"; \
	  echo "  xvfb-run -a -s '-screen 0 1080x1920x24' make demo"; \
	  echo "or look at it without a screen: make screens (screenshots in tests/_screenshots/)."; \
	  exit 1; \
	fi
	$(VENV)/bin/kiosk --demo $(if $(DEMO_CONFIG),--config $(DEMO_CONFIG))

test: setup
	$(PY) -m pytest

screens: setup
	$(PY) -m pytest tests/ui -k screenshot

bench-startup: setup
	$(PY) bench/startup.py

setup: system $(STAMP) $(QM)

system:
	@tools/setup-system.sh

$(STAMP): setup.cfg pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q -e '.[dev,sim]'
	@touch $@

ui/i18n/%.qm: ui/i18n/%.ts $(STAMP)
	$(VENV)/bin/pyside6-lrelease -silent $< -qm $@

clean:
	rm -rf $(VENV) build dist *.egg-info tests/_screenshots $(QM)
