#!/usr/bin/env bash
# Installs the Debian packages the kiosk needs, and only those missing, so a second run is quick.
# Run as root on Debian 12 (bookworm).
#
#   tools/setup-system.sh [terminal|dev]   terminal (the default): building or running a terminal;
#                                          dev: also the test/demo-only parts (`make test`, `make demo`)
#   tools/setup-system.sh --list PROFILE   print the profile's packages, install nothing
set -euo pipefail

list_only=false
if [[ "${1:-}" == "--list" ]]; then
  list_only=true
  shift
fi
profile="${1:-terminal}"
if [[ "$profile" != terminal && "$profile" != dev ]]; then
  echo "usage: $0 [--list] [terminal|dev]" >&2
  exit 2
fi

packages=(
  # Python toolchain for the venv (a fresh Debian has python3 but not venv or headers)
  python3 python3-venv python3-dev gcc make
  # building the bundle's OpenCV wheel from source (tools/build-opencv-wheel.sh, `make bundle`):
  # the C++ compiler, CMake and Ninja, nasm for libjpeg-turbo's SIMD, zlib for PNG
  g++ cmake ninja-build nasm zlib1g-dev
  # smart cards: PC/SC daemon and headers/swig for pyscard
  pcscd libpcsclite-dev swig
  # a CJK font so no Chinese glyph renders as a box
  fonts-noto-cjk fontconfig
  # Latin and digits in A4 PDFs (ui/pdf.py)
  fonts-dejavu-core
  # Qt runtime libraries (PySide6 wheels) and Qt Virtual Keyboard's audio dependency
  libpulse0 libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
  libxcb-render-util0 libxcb-image0 libxcb-xkb1
  # voice guidance: Qt TextToSpeech's speechd plug-in (the one the PySide6 wheels ship besides
  # Qt's silent test engine) needs libspeechd2 and speech-dispatcher, which speaks through
  # espeak-ng's Mandarin (cmn) and English voices; libao (audio plugins) gives the tests a null
  # audio output
  speech-dispatcher speech-dispatcher-espeak-ng speech-dispatcher-audio-plugins libspeechd2 espeak-ng
  # a virtual screen for machines without a display
  xvfb xauth
  # PDF checks in tests; pdfsig validates the platform's signed certificates
  poppler-utils
  # printing: CUPS clients for the cups backends; cupsd and the cups-pdf virtual printer for tests
  cups-client cups-daemon printer-driver-cups-pdf
  # kiosk-central on PostgreSQL: the platform tests start a throwaway cluster (initdb/postgres as the
  # postgres user); mkfs.ext4 + mount for the loop-mounted small disk of the disk-budget test
  postgresql e2fsprogs util-linux
  # systemd-analyze checks the unit in deploy/ (tests/test_deploy.py)
  systemd
)

# TEST/DEMO ONLY (tests, bench, training PCs), never on a terminal: the virtual PC/SC reader for
# our passport emulator listens on every interface, so anyone on the network could "insert" a card.
dev_only=(
  vsmartcard-vpcd
  # the browser the operator-page tests drive through Playwright (tests/central): no terminal
  # needs a second browser engine beside Qt's
  chromium
  # certutil: the NSS trust store through which pdfsig checks a certificate against the demo CA
  libnss3-tools
)
if [[ "$profile" == dev ]]; then
  packages+=("${dev_only[@]}")
fi

if $list_only; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

if [[ "$profile" == terminal ]]; then
  for package in "${dev_only[@]}"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)" == "install ok installed" ]]; then
      echo "WARNING: $package is installed; it must not be on a terminal: apt-get purge $package" >&2
    fi
  done
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "These Debian packages are missing: ${missing[*]}" >&2
  echo "Install them as root (apt-get install ${missing[*]}) or run this as root." >&2
  exit 1
fi

echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
