#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) each, two at a time, with libFuzzer
# (cargo-fuzz on the nightly toolchain, no sanitizer: the code is `unsafe`-free Rust).
# Usage: fuzz/run_all.sh [SECONDS]   (from the repository root or fuzz/)
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
targets=(need_csv od_matrix allocation plan_outputs geojson communes_csv scenario_toml)
cargo +nightly fuzz build -s none -O
run() {
  mkdir -p "corpus/$1"
  # A crash ends that target's run (its input is saved in artifacts/); the others go on.
  cargo +nightly fuzz run -s none -O "$1" "corpus/$1" "seeds/$1" -- \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    > "logs/$1.log" 2>&1 || echo "$1: crashed, see logs/$1.log and artifacts/$1/"
}
mkdir -p logs
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  run "${targets[i]}" &
  if ((i + 1 < ${#targets[@]})); then run "${targets[i + 1]}" & fi
  wait
done
for t in "${targets[@]}"; do
  echo "$t: $(grep -E '^Done [0-9]+ runs' "logs/$t.log" | tail -1), corpus $(ls "corpus/$t" | wc -l) inputs, crashes $(ls artifacts/"$t" 2>/dev/null | wc -l)"
done
