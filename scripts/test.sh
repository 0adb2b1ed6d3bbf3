#!/usr/bin/env bash
# Set up (with test tools) and run every check: lint, types, the test suite, the quick benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
# the quick benchmark prints its figures (bench/README.md has the full run's)
.venv/bin/massage-assistant bench --quick --out "$(mktemp -d)"
