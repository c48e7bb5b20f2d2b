#!/usr/bin/env bash
# Runs Gavel's benchmarks and prints the tables benches/README.md records.
#
#   benches/run.sh [S|M|L|XL ...] [--criterion] [--budget SECONDS]
#
#   S M L XL     scales to run (default: S M L). XL needs a few GB of memory and minutes.
#   --criterion  also the criterion benches (short sample times), after the tables.
#   --budget S   seconds per engine and scale for gavel-bench's timing (default 4).
#
# Reads the AWS managed policies and the action catalogue from ../shared/corpus beside the
# repository (or $GAVEL_AWS_MANAGED_POLICIES, $GAVEL_ACTION_CATALOG); nothing is copied here.
set -euo pipefail
cd "$(dirname "$0")/.."

scales=()
engines="reference,naive,compiled"
criterion=0
budget=4
while [ $# -gt 0 ]; do
  case "$1" in
    S|M|L|XL|s|m|l|xl) scales+=("$1") ;;
    --criterion) criterion=1 ;;
    --budget) budget="${2:?--budget needs seconds}"; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#scales[@]} -eq 0 ] && scales=(S M L)

echo "== $(nproc) cores ($(uname -m)), $(rustc --version), $(date -u +%Y-%m-%d)"
echo "== gavel-bench ${scales[*]} --engines $engines --budget $budget"
cargo run --quiet --release -p gavel-benches --bin gavel-bench -- \
  "${scales[@]}" --engines "$engines" --budget "$budget"

if [ "$criterion" = 1 ]; then
  list=$(IFS=,; echo "${scales[*]}")
  echo "== criterion (GAVEL_BENCH_SCALES=$list)"
  GAVEL_BENCH_SCALES="$list" cargo bench -p gavel-benches -- \
    --warm-up-time 1 --measurement-time 2
fi
