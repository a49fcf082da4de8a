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
  python3-venv  # the venv's base (scripts/python.sh)
  libpython3-dev  # its shared libpython for PyInstaller: -dev is the package name without a version
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

# The interpreter: scripts/python.sh says which and why. A .venv made on another one is
# kept unless PYTHON asks for a change or its own interpreter no longer runs (a rebuild
# needs the package index; an offline machine must keep a working viewer); then it is
# made again beside the old one, which comes back if that fails.
asked="${PYTHON:-}"
PYTHON="$(scripts/python.sh)"
real_path='import os, sys; print(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))'
want="$("$PYTHON" -c "$real_path" 2>/dev/null)" || { echo "bootstrap: cannot run Python '$PYTHON'" >&2; exit 1; }

install_project() {   # false if any step fails
  .venv/bin/python -m pip install -q --upgrade pip &&
    .venv/bin/python -m pip install -q -e '.[test]' &&
    touch .venv/.installed
}
make_venv() { "$PYTHON" -m venv .venv && install_project; }

if [ ! -x .venv/bin/python ]; then
  make_venv || { echo "bootstrap: could not make .venv" >&2; exit 1; }
else
  have="$(.venv/bin/python -c "$real_path" 2>/dev/null || echo "an interpreter that no longer runs")"
  if [ "$have" != "$want" ] && { [ -n "$asked" ] || ! .venv/bin/python -c "" 2>/dev/null; }; then
    echo "bootstrap: making .venv again on $want (it ran on $have)"
    rm -rf .venv.old && mv .venv .venv.old
    if make_venv; then
      rm -rf .venv.old
    else
      echo "bootstrap: could not make .venv on $want; the one on $have is kept" >&2
      rm -rf .venv && mv .venv.old .venv
      exit 1
    fi
  elif [ "$have" != "$want" ]; then
    echo "bootstrap: .venv runs on $have; 'PYTHON=$want make setup' makes it again on $want"
  fi
fi
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  install_project || { echo "bootstrap: could not install the project into .venv" >&2; exit 1; }
fi
# The app's own bytecode, as a regular (non-editable) install would have it:
# otherwise, where PYTHONDONTWRITEBYTECODE is set, every start compiles it again
# (0.1-0.2 s). Only changed files are compiled.
.venv/bin/python -m compileall -q viewer
