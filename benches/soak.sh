#!/usr/bin/env bash
# The soak run of issue 19: a loopback registry serving VERSIONS (default 3000) synthetic package
# versions with RATE (default 0.05) of all requests failing in every way the fault injector knows
# (500, 429 with Retry-After, resets mid-body, slow bodies, wrong integrity, malformed JSON),
# scanned by the release `tarsier` under `/usr/bin/time -v`, against a fault-free run of the
# same packages. Prints the wall time, peak RSS, faults injected and the packages that failed;
# exits 1 if a failed package is not named exactly once, a healthy package's results differ
# from the fault-free run's, or the peak RSS reaches 512 MiB.
#
#   bash benches/soak.sh                 # 3000 versions, 5%, seed 19
#   VERSIONS=500 SEED=7 bash benches/soak.sh
#
# Everything stays on 127.0.0.1; the work directory (default target/soak) keeps the scope, both
# SARIF logs and the scans' stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
versions="${VERSIONS:-3000}"
rate="${RATE:-0.05}"
seed="${SEED:-19}"
work="${WORK:-target/soak}"
cargo build --release --locked --quiet -p tarsier-cli -p tarsier-tests --bins
exec target/release/soak target/release/tarsier "$work" "$versions" "$rate" "$seed"
