#!/usr/bin/env bash
# Build the self-contained one-folder bundle: dist/kachin-viewer/ (plus
# "dist/Kachin Viewer.app" on macOS). Run from anywhere; works in Git Bash on Windows.
#   packaging/build.sh                 # fresh build venv in build/bundle-venv
#   VENV=.venv packaging/build.sh      # reuse an existing environment instead
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-build/bundle-venv}"
PYTHON="$(scripts/python.sh)"   # the interpreter .venv is made on too
[ -d "$VENV" ] || "$PYTHON" -m venv "$VENV"
PY="$VENV/bin/python"
[ -x "$PY" ] || PY="$VENV/Scripts/python.exe"  # Windows venv layout

# Only the runtime dependencies (not the test or video extras), so nothing else is bundled.
"$PY" -m pip install -q --upgrade pip
"$PY" -m pip install -q -e . pyinstaller

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/kachin-viewer.spec
bundle=dist/kachin-viewer

# A Python built from source (pyenv, python-build-standalone) keeps ~20 MB of debug
# symbols. Strip only Python's own files: stripping the wheels' patchelf-repaired
# libraries (*.libs) corrupts them.
if [ "$(uname -s)" = Linux ] && command -v strip >/dev/null; then
  strip --strip-debug "$bundle"/_internal/libpython3*.so* "$bundle"/_internal/python3.*/lib-dynload/*.so
fi

echo "built in $(( $(date +%s) - start )) s"
du -sh "$bundle"
[ ! -d "dist/Kachin Viewer.app" ] || du -sh "dist/Kachin Viewer.app"
echo "try it: $bundle/kachin-viewer export --date 2024-11-20 --out map.png"
