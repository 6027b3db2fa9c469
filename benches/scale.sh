#!/usr/bin/env bash
# Corpus-scale benchmark: scans a scope (default: every version of ten Express-ecosystem packages)
# from the configured npm registry. The first (cold) run fills a private cache; then it measures
# warm runs from that cache: with the result cache (a nightly run where nothing changed) and
# without it (full unpack + parse + match of everything). Prints packages, MB, seconds, peak RSS
# and throughput. Usage: benches/scale.sh [SCOPE.toml] [CACHE_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
scope=${1:-benches/scope-all-versions.toml}
cache=${2:-target/bench-cache}
out=target/bench-out
mkdir -p "$out"
cargo build --release --locked -p tarsier-cli --quiet
bin=target/release/tarsier

measure() { # label, extra args...
  local label=$1; shift
  local err="$out/$label.err"
  /usr/bin/time -f '%e %M' -o "$out/$label.time" "$bin" scan --scope "$scope" --cache-dir "$cache" \
    --fail-on never -o "$out/$label.sarif" "$@" 2>"$err" || true
  read -r secs rss_kb < "$out/$label.time"
  python3 - "$out/$label.sarif" "$label" "$secs" "$rss_kb" "$err" <<'PY'
import json, sys, re
path, label, secs, rss_kb, err = sys.argv[1:]
log = json.load(open(path))
run = log["runs"][0]
notes = run["invocations"][0].get("toolExecutionNotifications", [])
text = open(err).read()
m = re.search(r"scanned (\d+) of (\d+)", text)
files = re.search(r"in (\d+) files?", text)
scanned = int(m.group(1)) if m else 0
secs = float(secs)
print(f"{label:>22}: {scanned} package versions, {int(files.group(1)) if files else 0} files, "
      f"{len(run['results'])} results, {len(notes)} notifications, {secs:.2f} s, "
      f"peak RSS {int(rss_kb)/1024:.0f} MiB, {scanned/secs if secs else 0:.0f} versions/s")
PY
}

echo "scope: $scope   cache: $cache   machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB   date: $(date -u +%F)"
measure cold-or-warm-network
measure warm-result-cache --offline
measure warm-full-rescan --offline --no-result-cache
tarballs=$(du -sb "$cache/tarballs" 2>/dev/null | cut -f1)
echo "tarball cache: $((tarballs / 1024 / 1024)) MiB"
