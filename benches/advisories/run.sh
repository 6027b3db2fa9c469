#!/usr/bin/env bash
# The advisory benchmark: scans the vulnerable and the fixed version of every case in
# cases.toml (real public advisories of npm packages, coordinates only) with `tarsier scan`,
# through the registry of the user's npm configuration, and prints per flaw class: the cases,
# the hits at the flaw (a code finding within 3 lines of a flaw line of the vulnerable version)
# and how many fixed versions are quieter (fewer code findings in that file than the vulnerable
# version). Supply-chain findings (release-to-release signals) are not counted.
# Usage: benches/advisories/run.sh [TARSIER_BINARY]   (default: target/release/tarsier)
#   VERBOSE=1 also prints each case with the rules that fired in its file.
#   OUT=DIR keeps the scan output there (default: target/advisories-out).
set -euo pipefail
cd "$(dirname "$0")/../.."
tarsier=${1:-target/release/tarsier}
out=${OUT:-target/advisories-out}
cases=benches/advisories/cases.toml
mkdir -p "$out"
args=()
while read -r spec; do args+=(--package "$spec"); done < <(
  python3 -c 'import sys, tomllib
for c in tomllib.load(open(sys.argv[1], "rb"))["case"]:
    print(c["package"] + "@" + c["vulnerable"]); print(c["package"] + "@" + c["fixed"])' "$cases" | sort -u)
# `--keep-test-severity` and no result cache: the rules under test decide, nothing older.
"$tarsier" scan "${args[@]}" --format json --no-result-cache --keep-test-severity \
  -o "$out/findings.json" >"$out/scan.log" 2>&1 || true
tail -n 2 "$out/scan.log" >&2
python3 benches/advisories/summarize.py "$cases" "$out/findings.json"
