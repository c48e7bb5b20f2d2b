#!/usr/bin/env bash
# Builds the working corpus of every fuzz target in fuzz/corpus/<target>/ from
#   * the committed seeds in corpus/fuzz/<target>/ (small, hand-picked),
#   * the conformance cases (corpus/conformance/*.jsonl: every policy document in them),
#   * the example organization (corpus/example-org/),
#   * the shared corpus beside the checkout (../shared/corpus/), when it is there: policy
#     examples, malformed texts, account dumps. Nothing of it is copied into the repository.
# Text-language seeds are printed by `gavel fmt --to text` when target/release/gavel exists.
#
# Usage: fuzz/seed.sh [MAX_PER_SOURCE]   (default 400 documents per source file)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
shared="$root/../shared/corpus"
max="${1:-400}"
out="$here/corpus"
mkdir -p "$out"/{parse_json,parse_text,load_file,wildcard,differential}

for t in parse_json parse_text load_file wildcard differential; do
  if [ -d "$root/corpus/fuzz/$t" ]; then
    cp "$root/corpus/fuzz/$t"/* "$out/$t/" 2>/dev/null || true
  fi
done

python3 - "$root" "$shared" "$out" "$max" <<'PY'
import hashlib, json, os, pathlib, sys
root, shared, out, cap = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]), int(sys.argv[4])

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    name = hashlib.sha1(data).hexdigest()
    (out / target / name).write_bytes(data)

def policies_in(value):
    """Every JSON object that looks like a policy document, anywhere inside value."""
    if isinstance(value, dict):
        if "Statement" in value:
            yield value
        for v in value.values():
            yield from policies_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from policies_in(v)

n = 0
for f in sorted((root / "corpus/conformance").glob("*.jsonl")):
    count = 0
    for line in f.read_text().splitlines():
        if count >= cap:
            break
        try:
            case = json.loads(line)
        except ValueError:
            continue
        for p in policies_in(case):
            put("parse_json", json.dumps(p, indent=1))
            count += 1
    n += count

org = root / "corpus/example-org"
for f in sorted(org.rglob("*.json")):
    put("parse_json", f.read_bytes())
put("parse_text", (org / "org.gavel").read_bytes())

if shared.is_dir():
    for name in ["identity-policy-examples.jsonl", "resource-policy-examples.jsonl",
                 "scp-examples.jsonl", "rcp-examples.jsonl", "aws-managed-policies.jsonl"]:
        f = shared / name
        if not f.is_file():
            continue
        for i, line in enumerate(f.read_text().splitlines()):
            if i >= cap:
                break
            try:
                doc = json.loads(line).get("document")
            except ValueError:
                continue
            if doc is not None:
                put("parse_json", json.dumps(doc, indent=2))
    f = shared / "malformed-policy-texts.jsonl"
    if f.is_file():
        for line in f.read_text().splitlines()[:cap]:
            put("parse_json", json.loads(line)["text"])
    for f in sorted((shared / "account-authorization-details").rglob("*.json")):
        if f.stat().st_size <= 64 * 1024:
            put("parse_json", f.read_bytes())
print(f"parse_json: {len(os.listdir(out / 'parse_json'))} seeds")
PY

# Text seeds: the JSON seeds printed in the text language (a sample, one process each).
gavel="$root/target/release/gavel"
if [ -x "$gavel" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  i=0
  for f in "$out"/parse_json/*; do
    [ "$i" -ge "$max" ] && break
    cp "$f" "$tmp/p.json"
    for ty in identity resource scp; do
      if "$gavel" fmt "$tmp/p.json" --to text --type "$ty" > "$tmp/p.gavel" 2>/dev/null; then
        cp "$tmp/p.gavel" "$out/parse_text/$(sha1sum < "$tmp/p.gavel" | cut -c1-40)"
        i=$((i + 1))
        break
      fi
    done
  done
else
  echo "note: build target/release/gavel (cargo build --release) for text-language seeds" >&2
fi

for t in parse_json parse_text load_file wildcard differential; do
  echo "$t: $(ls "$out/$t" | wc -l) seeds in fuzz/corpus/$t"
done
