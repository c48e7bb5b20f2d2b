#!/usr/bin/env bash
# Usage: tools/peer/run.sh [--engine core|public] CASES.jsonl > answers.jsonl
# Runs Gavel conformance cases through @cloud-copilot/iam-simulate (installed under
# tools/peer/node_modules by `npm ci --prefix tools/peer`). Reads stdin when no file is given.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -d "$here/node_modules/@cloud-copilot/iam-simulate" ]; then
  echo "installing the peer simulator: npm ci --prefix $here" >&2
  npm ci --prefix "$here" --no-audit --no-fund >&2
fi
exec node "$here/simulate.mjs" "$@"
