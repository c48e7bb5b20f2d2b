#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each, one after the other (2 cores: one at a time), on
# stable Rust, and prints executions and coverage per target.
#
# Usage: fuzz/run-all.sh SECONDS [TARGET...]
#   Working corpus: fuzz/corpus/<target>/ (run fuzz/seed.sh first to fill it); the committed
#   seeds corpus/fuzz/<target>/ are read too. A crash is copied to
#   corpus/fuzz/crashes/<target>/ (commit it with a name saying what it found) and the script
#   exits non-zero after the remaining targets ran. Logs: fuzz/logs/<target>.log.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
secs="${1:?usage: fuzz/run-all.sh SECONDS [TARGET...]}"
shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(parse_json parse_text load_file wildcard differential)
cd "$here"
export RUSTC_BOOTSTRAP=1   # cargo-fuzz passes -Z flags; stable 1.95 accepts them this way
cargo fuzz build -s none >/dev/null 2>&1 || { cargo fuzz build -s none; exit 2; }
mkdir -p logs
status=0
printf '%-13s %10s %8s %8s %7s %s\n' target seconds execs cov ft result
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t" "$root/corpus/fuzz/$t" "$root/corpus/fuzz/crashes/$t"
  case "$t" in
    parse_json|parse_text) max_len=65536 ;;
    *) max_len=4096 ;;
  esac
  before=$(ls "artifacts/$t" | wc -l)
  cargo fuzz run -s none "$t" "corpus/$t" "$root/corpus/fuzz/$t" -- \
    -max_total_time="$secs" -max_len="$max_len" -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 >"logs/$t.log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
  line=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE).*cov:' "logs/$t.log" | tail -1)
  cov=$(echo "$line" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
  ft=$(echo "$line" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
  result=ok
  if [ "$rc" -ne 0 ] || [ "$(ls "artifacts/$t" | wc -l)" -ne "$before" ]; then
    result="FAILED (exit $rc, see fuzz/logs/$t.log)"
    for a in $(ls -t "artifacts/$t" | head -n $(( $(ls "artifacts/$t" | wc -l) - before ))); do
      cp "artifacts/$t/$a" "$root/corpus/fuzz/crashes/$t/$a"
      result="$result; saved corpus/fuzz/crashes/$t/$a"
    done
    status=1
  fi
  printf '%-13s %10s %8s %8s %7s %s\n' "$t" "$secs" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
exit $status
