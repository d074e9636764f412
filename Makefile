# egov-kiosk: `make demo` and `make test` set up whatever is missing, then run.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
TS := $(wildcard ui/i18n/*.ts)
QM := $(TS:.ts=.qm)

.PHONY: demo test lint setup system screens bench-startup bundle clean

demo: setup
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
	  echo "No display found. To run the kiosk on a virtual screen:"; \
	  echo "  xvfb-run -a -s '-screen 0 1080x1920x24' make demo"; \
	  echo "or look at it without a screen: make screens (screenshots in docs/screens/)."; \
	  exit 1; \
	fi
	$(VENV)/bin/kiosk --demo $(if $(DEMO_CONFIG),--config $(DEMO_CONFIG))

test: setup lint
	$(PY) -m pytest

# The linter and the type checker (configured in pyproject.toml); `make test` runs them first.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# Screenshots of every screen (both orientations, languages, modes) into docs/screens/, with an
# index; taken by the accessibility audit as it walks the journey. The index is written even if
# the audit finds something (it says what), so the pictures show the problem.
screens: setup
	rm -f docs/screens/*.png
	KIOSK_SCREENS_DIR=docs/screens $(PY) -m pytest -q tests/ui/test_accessibility_audit.py -k audit; \
	  status=$$?; $(PY) tools/screens_index.py docs/screens; exit $$status

bench-startup: setup
	$(PY) bench/startup.py

# The frozen one-folder terminal build (kiosk.spec, deploy/README.md), then its own self-test.
# PYTHONHASHSEED fixed: the same sources give the same files (base_library.zip's order would vary
# with the seed), so an update fetches only what changed.
# Not part of `make test`: a first build takes minutes on two cores (later ones reuse build/).
bundle: setup $(VENV)/.bundle-stamp
	PYTHONHASHSEED=0 $(VENV)/bin/pyinstaller --noconfirm --log-level WARN kiosk.spec
	QT_QPA_PLATFORM=offscreen dist/kiosk/kiosk --self-test
	$(PY) -m pytest -m bundle -q
	@du -sh dist/kiosk

$(VENV)/.bundle-stamp: setup.cfg $(STAMP)
	$(PY) -m pip install -q -e '.[bundle]'
	@touch $@

setup: system $(STAMP) $(QM)

# Debian packages: `dev` adds the test/demo-only ones (vsmartcard-vpcd); building a terminal
# (`make bundle`) asks for `terminal`, which never installs them (tools/setup-system.sh).
SYSTEM_PROFILE ?= dev
bundle: SYSTEM_PROFILE = terminal

system:
	@tools/setup-system.sh $(SYSTEM_PROFILE)

$(STAMP): setup.cfg pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q -e '.[dev,sim,central]'
	@touch $@

ui/i18n/%.qm: ui/i18n/%.ts $(STAMP)
	$(VENV)/bin/pyside6-lrelease -silent $< -qm $@

clean:
	rm -rf $(VENV) build dist *.egg-info tests/_screenshots $(QM)
