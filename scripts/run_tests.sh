#!/usr/bin/env bash
# Set up (first time only, Chromium included) and run every test: core, pages, browser.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --test
exec .venv/bin/python -m pytest "$@"
