#!/usr/bin/env bash
# Fuzzes one target on the stable toolchain: ./run.sh <target> [seconds] [extra libFuzzer flags...]
#
# Why these flags:
# - `-s none` (no sanitizer): AddressSanitizer needs `-Zsanitizer=address`, a nightly-only flag.
#   The coverage instrumentation cargo-fuzz adds (`-Cpasses=sancov-module` and `-Cllvm-args=...`)
#   is accepted by stable rustc, so no RUSTC_BOOTSTRAP is needed. Safe Rust needs ASan little:
#   the crates are `#![forbid(unsafe_code)]`; what we hunt is panics, overflows (the fuzz
#   profile keeps overflow checks and debug assertions on), hangs and memory blow-ups.
# - `-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1`: keep going after a finding so
#   one run reports all of them (each is saved under artifacts/<target>/).
# - `-timeout=10 -rss_limit_mb=2048`: an input taking over 10 s or 2 GiB is a finding.
# The corpus grows in work/<target> (git-ignored); corpus/<target> is only read.
set -euo pipefail
cd "$(dirname "$0")"
target="${1:?usage: ./run.sh <target> [seconds] [libFuzzer flags...]}"
seconds="${2:-600}"
shift $(($# >= 2 ? 2 : 1))
if [[ "$target" == tarball_unpack && ! -d corpus/tarball_unpack ]]; then
  ./seeds.sh >/dev/null
fi
mkdir -p "work/$target" "artifacts/$target"
exec cargo fuzz run -s none "$target" "work/$target" "corpus/$target" -- \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 "$@"
