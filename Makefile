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
# Built from a venv of its own, .venv-bundle: the project with its `bundle` extra, but with an
# OpenCV wheel built for the kiosk (tools/build-opencv-wheel.sh: no FFmpeg, no OpenBLAS, only the
# modules drivers/ calls; 171 -> 39 MiB in the bundle); .venv, for tests and the demo, keeps PyPI's.
# Not part of `make test`: a first build takes minutes on two cores (later ones reuse build/), and
# the OpenCV wheel's about 20 more (once: kept in build/opencv-wheel/ until `make clean`).
BUNDLE_VENV := .venv-bundle
BUNDLE_PY := $(BUNDLE_VENV)/bin/python
# The version .venv has from PyPI; the bundle's OpenCV is built from the same release's sdist.
OPENCV_VERSION := 5.1.0.95
OPENCV_WHEEL_DIR := build/opencv-wheel
OPENCV_WHEEL_STAMP := $(OPENCV_WHEEL_DIR)/.built-$(OPENCV_VERSION)

bundle: setup $(BUNDLE_VENV)/.bundle-stamp
	PYTHONHASHSEED=0 $(BUNDLE_VENV)/bin/pyinstaller --noconfirm --log-level WARN kiosk.spec
	QT_QPA_PLATFORM=offscreen dist/kiosk/kiosk --self-test
	$(PY) -m pytest -m bundle -q
	@du -sh dist/kiosk

$(OPENCV_WHEEL_STAMP): tools/build-opencv-wheel.sh | $(STAMP)
	rm -f $(OPENCV_WHEEL_DIR)/opencv_python_headless-*.whl
	tools/build-opencv-wheel.sh $(PY) $(OPENCV_VERSION) $(OPENCV_WHEEL_DIR)
	@touch $@

# The kiosk's OpenCV goes in first, so installing the project finds `opencv-python-headless`
# satisfied and leaves it; the check fails the build if PyPI's (with FFmpeg) got in anyway.
$(BUNDLE_VENV)/.bundle-stamp: setup.cfg pyproject.toml $(OPENCV_WHEEL_STAMP)
	@test -x $(BUNDLE_PY) || $(PYTHON) -m venv $(BUNDLE_VENV)
	$(BUNDLE_PY) -m pip install -q --upgrade pip setuptools wheel
	$(BUNDLE_PY) -m pip install -q --force-reinstall --no-deps $(OPENCV_WHEEL_DIR)/opencv_python_headless-$(OPENCV_VERSION)-*.whl
	$(BUNDLE_PY) -m pip install -q -e '.[bundle]'
	$(BUNDLE_PY) -c "import cv2, re, sys; sys.exit(re.search(r'FFMPEG: +YES', cv2.getBuildInformation()) and 'PyPI OpenCV in $(BUNDLE_VENV)')"
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
	rm -rf $(VENV) $(BUNDLE_VENV) build dist *.egg-info tests/_screenshots $(QM)
