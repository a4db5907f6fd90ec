#!/usr/bin/env bash
# Set up (first time only, Chromium included) and run every test: core, pages, browser.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --test
# two test processes, one file each at a time: most tests wait on a worker process or a browser,
# so two streams keep both cores busy. The 2-minute soak session runs beside them as a process of
# its own (tests/conftest.py); files go out in collection order, its test last, to read the result.
exec .venv/bin/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder "$@"
