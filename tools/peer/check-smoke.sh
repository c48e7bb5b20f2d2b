#!/usr/bin/env bash
# Runs smoke-cases.jsonl through the peer and compares with each case's "expect".
# Exit 0 when every answer matches. Usage: tools/peer/check-smoke.sh [--engine core|public]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/run.sh" "$@" "$here/smoke-cases.jsonl" | node -e '
const fs = require("fs")
const expect = new Map(fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean)
  .map((l) => JSON.parse(l)).map((c) => [c.id, c.expect]))
let ok = 0, bad = 0
for (const l of fs.readFileSync(0, "utf8").split("\n").filter(Boolean)) {
  const a = JSON.parse(l)
  const e = expect.get(a.id)
  if (a.peer === e) ok++
  else { bad++; console.log(`MISMATCH ${a.id}: expected ${e}, peer ${a.peer} ${a.error ?? ""}`) }
}
console.log(`${ok} passed, ${bad} failed`)
process.exit(bad ? 1 : 0)
' "$here/smoke-cases.jsonl"
