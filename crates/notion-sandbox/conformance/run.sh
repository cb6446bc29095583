#!/usr/bin/env bash
# The official-SDK conformance check of the sandbox (see docs/sandbox.md):
#   bash conformance/run.sh target/debug/notion-sweep
# Needs Node.js (18 or newer) and npm; skipped, with a message, without them.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: bash conformance/run.sh <path of the notion-sweep binary>" >&2
  exit 2
fi
case "$1" in
  /*) bin=$1 ;;
  *) bin="$PWD/$1" ;;
esac
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "conformance: Node.js not found; skipping the official-SDK check"
  exit 0
fi
if [ ! -x "$bin" ]; then
  echo "conformance: no notion-sweep binary at $bin (run cargo build first)" >&2
  exit 2
fi
npm ci --no-audit --no-fund --loglevel=error
node sdk.mjs "$bin"
