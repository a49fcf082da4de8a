#!/usr/bin/env bash
# Prints the Python that the project's environments (.venv, the bundle's) are made on:
# $PYTHON where it is set; else the distribution's /usr/bin/python3 where it is 3.10 or
# newer (pyproject.toml's floor); else the first python3 on PATH.
#
# Why the distribution's: Debian builds it with profile-guided and link-time
# optimisation, while a self-built one (pyenv's, say) usually has neither. The viewer is
# interpreter-bound at start-up (perf, embedded briefing: 61% of the CPU in libpython).
# On this project's 2-core machine, the same code, alternating launches at load ~1.4:
# the embedded map on screen 0.84-1.15 s (median 0.94) on Debian's 3.11.2 against
# 0.99-1.32 s (median 1.16) on pyenv's 3.11.7; a pure-Python loop 0.28-0.30 s against 0.38 s.
set -euo pipefail
if [ -n "${PYTHON:-}" ]; then
  echo "$PYTHON"
elif /usr/bin/python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo /usr/bin/python3
else
  echo python3
fi
