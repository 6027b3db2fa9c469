#!/usr/bin/env bash
# Smoke run for CI: every target for SMOKE_SECONDS (default 20) from the committed seeds, on the
# stable toolchain (see run.sh for why `-s none`). Fails on the first crash, timeout or OOM.
# The corpus each run grows goes to a temporary directory and is thrown away.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${SMOKE_SECONDS:-20}"
targets=(tarball_unpack engine_scan redos_analyze sarif_read scope_and_npmrc semver_range)
[[ -d corpus/tarball_unpack ]] || ./seeds.sh >/dev/null
cargo fuzz build -s none
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  echo "smoke: $t (${seconds}s)"
  status=0
  cargo fuzz run -s none "$t" "$scratch/$t" "corpus/$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$scratch/$t.log" 2>&1 || status=$?
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$scratch/$t.log" || true
  if [[ "$status" != 0 ]]; then
    tail -n 40 "$scratch/$t.log"
    echo "smoke: $t FAILED (input saved under artifacts/$t/)"
    exit 1
  fi
done
echo "smoke: all targets passed"
