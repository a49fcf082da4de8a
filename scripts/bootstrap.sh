#!/usr/bin/env bash
# One-time set-up on a fresh Debian/Ubuntu machine: the system libraries Qt needs
# (xcb, EGL, fonts), Xvfb and desktop-file-utils for the tests, PostgreSQL with
# PostGIS for the team-database tests (the tests start their own server; the
# package's default cluster is not used), then a virtual
# environment with the project and its test tools. Safe to run again: it only
# installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  xvfb xauth x11-apps xdotool
  libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-xinerama0 libxcb-shape0 libxcb-randr0 libxcb-xkb1
  libegl1 libgl1 libfontconfig1 libdbus-1-3
  fonts-dejavu-core fonts-noto-core fonts-noto-cjk
  desktop-file-utils shared-mime-info
  python3-qgis  # QGIS 3.22 opens edited files in tests (geodata/qgis_check.py)
  poppler-utils  # pdftotext / pdfinfo read the PDF handouts in tests
  python3-venv libpython3-dev  # the venv's base (below); PyInstaller bundles its libpython
  postgresql postgresql-15-postgis-3
)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "bootstrap: installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The venv is built on the distribution's Python where there is one: Debian's is
# compiled with profile-guided and link-time optimisation, a self-built one (pyenv's,
# say) usually is not. The app is interpreter-bound at start-up (about 60% of its
# CPU): on this project's machine the embedded briefing's map came up 20-25% sooner
# on Debian's 3.11.2 than on pyenv's 3.11.7 (1.13-1.37 s against 1.34-1.76 s,
# alternating). PYTHON=... picks another; a venv on another base is made again.
if [ -z "${PYTHON:-}" ]; then
  PYTHON=python3
  if /usr/bin/python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    PYTHON=/usr/bin/python3
  fi
fi
if ! command -v "$PYTHON" >/dev/null; then
  echo "bootstrap: no Python at '$PYTHON'" >&2
  exit 1
fi
base="$(readlink -f "$(command -v "$PYTHON")")"
if [ -x .venv/bin/python ] && [ "$(cat .venv/.base 2>/dev/null)" != "$base" ]; then
  echo "bootstrap: making .venv again on $base"
  rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
  echo "$base" > .venv/.base
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
  touch "$stamp"
fi
# The app's own bytecode, as a regular (non-editable) install would have it:
# otherwise, where PYTHONDONTWRITEBYTECODE is set, every start compiles it again
# (0.1-0.2 s). Only changed files are compiled.
.venv/bin/python -m compileall -q viewer
