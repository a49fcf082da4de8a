# The two commands a fresh clone needs: `make run` and `make test`.
# Both set up everything first (system libraries, .venv) if it is missing.

.PHONY: run test setup

run: setup
	.venv/bin/kachin-viewer geodata/kachin.gpkg

test: setup
	.venv/bin/python -m pytest

setup:
	scripts/bootstrap.sh
