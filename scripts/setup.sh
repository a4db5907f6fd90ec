#!/usr/bin/env bash
# Set up a fresh Debian machine for GAN Lab: a virtual environment with the pinned packages,
# and (with --test) Debian's Chromium for the browser tests. Safe to run again: it only adds
# what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

PY=$(command -v python3.11 || command -v python3)
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv || { as_root apt-get update -qq && as_root apt-get install -y -qq python3-venv && "$PY" -m venv .venv; }
fi
req=requirements.txt
[ $want_tests = 1 ] && req=requirements-dev.txt
stamp=.venv/.installed-$(cat "$req" requirements*.txt pyproject.toml | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -r "$req"
  # the project itself, editable: gan_core, ui, tests and bench import from anywhere, no sys.path edits
  .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
  touch "$stamp"
fi

# Debian packages: Chromium for the browser tests; the full Fashion-MNIST (IDX files under
# /usr/share/datasets/fashion-mnist), which the live MNIST page offers when present.
debs=""
[ $want_tests = 1 ] && [ ! -x /usr/bin/chromium ] && debs="$debs chromium"
[ -d /usr/share/datasets/fashion-mnist ] || debs="$debs dataset-fashion-mnist"
if [ -n "$debs" ]; then
  if [ $want_tests = 1 ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $debs
  elif [ "$(id -u)" = 0 ]; then  # the app runs without Fashion-MNIST: best effort only
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $debs; } \
      || echo "note: could not install $debs; the app offers the embedded MNIST digits only" >&2
  fi
fi
