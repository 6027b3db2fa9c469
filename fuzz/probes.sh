#!/usr/bin/env bash
# Runs hand-made hostile inputs that libFuzzer does not reach on its own (its inputs stay around
# the size of the largest seed, a few KB): deep nesting and long chains in JavaScript, regexes,
# TOML, JSON and ranges. Each runs once through the fuzz target's binary
# with a 2 MiB stack (`ulimit -s 2048`, the stack of a rayon worker thread) and a time limit of
# PROBE_TIMEOUT seconds (default 5: no input here is over 160 KB). Prints one line per probe; exits 1 if any crashed or
# timed out. Build first (`cargo fuzz build -s none`).
set -uo pipefail
cd "$(dirname "$0")"
bin=target/x86_64-unknown-linux-gnu/release
limit="${PROBE_TIMEOUT:-5}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" <<'PY'
import sys, os
d = sys.argv[1]
def w(name, text):
    open(os.path.join(d, name), "w").write(text)
n = 10000
w("engine_scan.paren", "x=" + "(" * n + "1" + ")" * n + ";")
w("engine_scan.array", "x=" + "[" * n + "]" * n + ";")
w("engine_scan.function", "function f(){" * n + "}" * n)
w("engine_scan.unclosed", "{" * n)
w("engine_scan.calls", "a" + "(req.query.x" * 2000 + ")" * 2000)
w("engine_scan.member-chain", "res.redirect(req" + ".a" * 2500 + ");")
w("engine_scan.binary-chain", "res.send(req.query.x" + "+a" * 5000 + ");")
# `#match?` runs on the left operand of every `===`: a long chain makes that text long each time
# (the matcher's step budget counts regex bytes).
w("engine_scan.compare-chain", "if (secretToken" + " === req.query.t" * 5000 + ") {}")
w("engine_scan.wide-call", "res.set(" + "req.query.x, " * 20000 + "1);")
w("redos_analyze.groups", "(" * n + "a" + ")" * n + "/")
w("redos_analyze.quantified", "(?:" * n + "a" + ")*" * n + "/")
w("redos_analyze.classes", "[" * n + "a" + "]" * n + "/v")
w("scope_and_npmrc.arrays", "a = " + "[" * n + "]" * n + "\n")
w("scope_and_npmrc.tables", "a = " + "{b=" * n + "1" + "}" * n + "\n")
w("sarif_read.arrays", "[" * n + "]" * n)
w("semver_range.alternatives", "||".join(["^1.2.3"] * 5000))
PY
status=0
for f in "$dir"/*; do
  target="${f##*/}"; target="${target%%.*}"
  start=$(date +%s%N)
  (ulimit -s 2048; exec "$bin/$target" -timeout="$limit" -rss_limit_mb=2048 "$f") >"$f.log" 2>&1
  rc=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  verdict=ok
  if [[ $rc != 0 ]]; then
    verdict="FAILED: $(grep -m1 -E 'panicked|ERROR: libFuzzer|deadly signal|stack' "$f.log")"
    status=1
  fi
  printf '%-36s %7d ms  %s\n' "${f##*/}" "$ms" "$verdict"
done
exit "$status"
