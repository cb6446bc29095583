#!/usr/bin/env bash
# The conformance check of the sandbox with two independent clients (see
# docs/sandbox.md): Notion's official JavaScript SDK (@notionhq/client,
# package.json; sdk.mjs, and people.mjs for users, people and
# multi_select) and the community Python SDK (notion-client,
# requirements.txt).
#
#   bash conformance/run.sh target/debug/notion-sweep
#   bash conformance/run.sh example     # no notion-sweep binary: builds and
#                                       # runs the crate's `serve` example
#
# Each client runs where its runtime exists (Node.js 18+ and npm; Python 3
# with venv or pip) and is skipped, with a message, where it does not. The
# Python packages go to conformance/.venv (or conformance/pydeps with pip
# --target), both git-ignored. Exit status 1 if a check failed.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: bash conformance/run.sh <path of the notion-sweep binary | example>" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
case "$1" in
  example)
    # the crate's example binary serves like `notion-sweep sandbox`
    target="${CARGO_TARGET_DIR:-$here/../../../target}"
    (cd "$here/.." && cargo build -q -p notion-sandbox --example serve)
    bin="$target/debug/examples/serve"
    ;;
  /*) bin=$1 ;;
  *) bin="$PWD/$1" ;;
esac
cd "$here"
if [ ! -x "$bin" ]; then
  echo "conformance: no notion-sweep binary at $bin (run cargo build first)" >&2
  exit 2
fi
status=0
ran=0

if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  npm ci --no-audit --no-fund --loglevel=error
  node sdk.mjs "$bin" || status=1
  node people.mjs "$bin" || status=1
  ran=$((ran + 1))
else
  echo "conformance: Node.js not found; skipping the JavaScript SDK check"
fi

python=""
for p in python3 python; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null; then
    python=$p
    break
  fi
done
if [ -z "$python" ]; then
  echo "conformance: Python 3 not found; skipping the Python SDK check"
else
  py=""
  if [ -x .venv/bin/python ] || "$python" -m venv .venv >/dev/null 2>&1; then
    if .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt; then
      py=.venv/bin/python
    fi
  fi
  if [ -z "$py" ] && "$python" -m pip --version >/dev/null 2>&1; then
    if "$python" -m pip install -q --disable-pip-version-check --target pydeps -r requirements.txt; then
      export PYTHONPATH="$here/pydeps${PYTHONPATH:+:$PYTHONPATH}"
      py=$python
    fi
  fi
  if [ -z "$py" ]; then
    echo "conformance: could not install notion-client (no venv, no pip); skipping the Python SDK check"
  else
    "$py" sdk.py "$bin" || status=1
    ran=$((ran + 1))
  fi
fi

if [ "$ran" -eq 0 ]; then
  echo "conformance: no client runtime found; nothing was checked"
fi
exit $status
