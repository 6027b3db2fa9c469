#!/usr/bin/env bash
# Builds the input of the side-by-side benchmark: every tarball in tarsier's benchmark cache
# (left by benches/scale.sh: every version of ten Express-ecosystem packages), each unpacked
# with tar into its own directory `target/peers-input/<name>@<version>/`. The three tools then
# scan the same files from disk. Runs benches/scale.sh first when the cache is missing.
# Usage: benches/peers/make-input.sh [CACHE_DIR] [INPUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=${1:-target/bench-cache}
input=${2:-target/peers-input}

if [ -f "$input/.complete" ]; then
  exit 0
fi
if [ -z "$(find "$cache/tarballs/sha512" -type f -print -quit 2>/dev/null)" ]; then
  echo "no tarball cache in $cache: filling it with benches/scale.sh" >&2
  bash benches/scale.sh benches/scope-all-versions.toml "$cache" >&2
fi

rm -rf "$input"
mkdir -p "$input"
tmp="$input/.unpacking"
count=0
while IFS= read -r tarball; do
  hash=$(basename "$tarball")
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! tar xzf "$tarball" -C "$tmp" --no-same-owner --no-same-permissions 2>/dev/null; then
    echo "skipped (not a readable tarball): $tarball" >&2
    continue
  fi
  # Some very old tarballs have unreadable modes; the tools must be able to open every file.
  chmod -R u+rwX "$tmp"
  # A few old tarballs ship `.gitignore` files (and `.git` is never there). tarsier and ast-grep
  # honour them, semgrep can be told not to; remove them so that every tool sees every file.
  find "$tmp" -name .gitignore -type f -delete
  # The top directory is `package/` in almost all tarballs, something else in a few old ones.
  manifest=$(find "$tmp" -mindepth 2 -maxdepth 2 -name package.json | head -n 1)
  name=""
  if [ -n "$manifest" ]; then
    name=$(python3 - "$manifest" <<'PY' || true
import json, re, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        d = json.load(f)
    n = f"{d['name']}@{d['version']}"
    print(re.sub(r"[^A-Za-z0-9@._+-]", "_", n))
except Exception:
    pass
PY
)
  fi
  dir="$input/${name:-${hash:0:16}}"
  if [ -e "$dir" ]; then
    dir="$dir-${hash:0:8}"
  fi
  mv "$tmp" "$dir"
  count=$((count + 1))
done < <(find "$cache/tarballs/sha512" -type f | sort)
rm -rf "$tmp"
touch "$input/.complete"
echo "unpacked $count tarballs into $input" >&2
