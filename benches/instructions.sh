#!/usr/bin/env bash
# Instructions of one warm round of the full scan and of parse only, counted by callgrind on a
# subset of the side-by-side input (every Nth package; default every tenth). Unlike wall time on
# a shared machine, the counts repeat from run to run, so they can decide a change of a few
# percent. A warm round is two rounds minus one: the first round also builds the engines, loads
# the files and fills the ReDoS verdict cache.
# Usage: benches/instructions.sh [INPUT_DIR] [EVERY_NTH] [SCAN_COST_BINARY]
# (INPUT_DIR defaults to target/peers-input, built by benches/peers/make-input.sh.)
set -euo pipefail
cd "$(dirname "$0")/.."
input=${1:-target/peers-input}
every=${2:-10}
bin=${3:-}
if [ -z "$bin" ]; then
  cargo build --release --locked -p tarsier-benches --example scan_cost --quiet
  bin=target/release/examples/scan_cost
fi
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 2; }
[ -d "$input" ] || { echo "no input at $input: run benches/peers/make-input.sh first" >&2; exit 2; }

out=target/instructions
subset="$out/subset-$every"
rm -rf "$subset"
mkdir -p "$subset"
find -H "$input" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | sort | awk -v n="$every" 'NR % n == 1' |
  while IFS= read -r dir; do ln -s "$(cd "$dir" && pwd)" "$subset/$(basename "$dir")"; done

run() { # phase rounds: one callgrind run, in the background
  SCAN_COST_ONLY=$1 valgrind --tool=callgrind --callgrind-out-file="$out/$1.$2.out" \
    "$bin" "$subset" "$2" >"$out/$1.$2.log" 2>&1 &
}
count() { # phase rounds -> instructions
  grep -o 'Collected : [0-9]*' "$out/$1.$2.log" | grep -o '[0-9]*$'
}
for phase in parse full; do
  run "$phase" 1
  run "$phase" 2
  wait
  eval "warm_$phase=$(($(count "$phase" 2) - $(count "$phase" 1)))"
done
echo "subset: $(find "$subset" -mindepth 1 -maxdepth 1 | wc -l) packages of $input (every ${every}th)"
echo "warm round, parse only: $((warm_parse / 1000000)) M instructions"
echo "warm round, full scan:  $((warm_full / 1000000)) M instructions"
python3 -c "print(f'full / parse in instructions: {$warm_full / $warm_parse:.3f}')"
echo "profiles: $out/{parse,full}.{1,2}.out (callgrind_annotate; the difference of the two is one warm round)"
