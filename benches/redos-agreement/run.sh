#!/usr/bin/env bash
# Reproduces the ReDoS agreement check of tarsier-redos against recheck (see README.md):
# installs the npm tools here, fetches the default scope's `latest` tarballs into a work
# directory OUTSIDE the repository, extracts their regexes, runs tarsier (the `batch` example,
# release build) and recheck on the verdict table and on the scope, and prints the agreement
# matrices, the timings and the measurements that judge each disagreement.
#
# Usage: benches/redos-agreement/run.sh [work-dir]   (default: a new directory under $TMPDIR)
# Needs node and npm (with a reachable registry) and cargo. Writes out/results.md here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/redos-agreement.XXXXXX")}
case "$work" in "$repo"/*) echo "run.sh: the work dir must be outside the repository" >&2; exit 2 ;; esac
mkdir -p "$work" "$here/out"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target-agree}

echo "== npm tools (recheck, acorn, acorn-walk) into $here/node_modules" >&2
(cd "$here" && npm install --no-audit --no-fund --no-package-lock --silent)

echo "== build tarsier's batch example (release)" >&2
(cd "$repo" && cargo build --quiet --release -p tarsier-redos --example batch)
batch=$CARGO_TARGET_DIR/release/examples/batch

echo "== fetch and unpack the default scope into $work" >&2
"$here/fetch.sh" "$work" "$repo/crates/tarsier-registry/default-scope.toml"

echo "== extract regexes" >&2
node "$here/extract.js" "$work/unpacked" > "$work/scope.jsonl"
node "$here/table.js" "$repo/crates/tarsier-redos/tests/data/cases.rs" > "$work/table.jsonl"
# A third, larger set that needs no download: npm's own bundled dependencies.
mkdir -p "$work/npm-unpacked"
ln -sfn "$(npm root -g)/npm" "$work/npm-unpacked/npm"
node "$here/extract.js" "$work/npm-unpacked" > "$work/npm.jsonl"

results=$here/out/results.md
{
  echo "# ReDoS agreement: tarsier-redos vs recheck ($(date -u +%Y-%m-%d))"
  echo
  echo "node $(node --version), recheck $(cd "$here" && node -p 'require("recheck/package.json").version'), backend: native binary if installed (see recheck.js)"
  echo
  echo "Scope packages (name, version):"
  echo
  awk -F'\t' '{printf "%s@%s ", $1, $2} END {print ""}' "$work/versions.tsv"
  echo
} > "$results"
for set in table scope npm; do
  echo "== $set: recheck, then tarsier" >&2
  (cd "$here" && node recheck.js < "$work/$set.jsonl" > "$work/$set.recheck.jsonl")
  "$batch" < "$work/$set.recheck.jsonl" > "$work/$set.both.jsonl" 2> "$work/$set.batch.log"
  cat "$work/$set.batch.log" >&2
  case $set in
    table) title="Verdict table (tests/data/cases.rs)" ;;
    scope) title="Default scope (every regex in the latest tarballs)" ;;
    npm) title="Extra: npm $(npm --version) and its bundled dependencies" ;;
  esac
  {
    node "$here/report.js" "$title" < "$work/$set.both.jsonl"
    echo "tarsier batch: $(sed 's/^batch: //' "$work/$set.batch.log")"
    echo
    echo "Judging each disagreement (wall time of one exec in node, V8's backtracking engine):"
    echo
    (cd "$here" && node judge.js "$work/$set.both.jsonl" "$work/$set.attacks.jsonl")
    if [ -s "$work/$set.attacks.jsonl" ]; then
      echo
      echo "recheck's attacks on tarsier's step-counting matcher ([n, steps, matched]):"
      echo
      "$batch" < "$work/$set.attacks.jsonl" 2>/dev/null |
        node -e 'require("readline").createInterface({input: process.stdin}).on("line", (l) => {
          const r = JSON.parse(l);
          console.log(`- ${r.index}. \`/${r.pattern}/${r.flags}\`: ${JSON.stringify(r.attack_steps)}`);
        })'
    fi
    echo
  } >> "$results"
done
{
  echo "### tarsier's time on all scope regexes, 5 runs (release build, one thread)"
  echo
  for i in 1 2 3 4 5; do
    "$batch" < "$work/scope.jsonl" 2>&1 >/dev/null | sed 's/^batch: /- /'
  done
  echo
} >> "$results"
cat "$results"
echo "== written to $results (work files in $work)" >&2
