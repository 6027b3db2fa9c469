#!/usr/bin/env bash
# Fetches the `latest` tarball of every package in the default scope with `npm pack` (npm's
# configured registry) into $1/tarballs and unpacks each into $1/unpacked/<name>.
# Usage: fetch.sh <work-dir outside the repository> <default-scope.toml>
set -euo pipefail
work=$1
scope=$2
mkdir -p "$work/tarballs" "$work/unpacked"
mapfile -t names < <(sed -n 's/^name = "\([^"]*\)"$/\1/p' "$scope")
echo "fetch: ${#names[@]} packages in $scope" >&2
specs=()
for n in "${names[@]}"; do specs+=("$n@latest"); done
(cd "$work/tarballs" && npm pack --silent --json "${specs[@]}" > ../pack.json)
node -e '
  const p = require(process.argv[1]);
  for (const e of p) console.log(e.name + "\t" + e.version + "\t" + e.filename);
' "$work/pack.json" > "$work/versions.tsv"
while IFS=$'\t' read -r name version file; do
  dir="$work/unpacked/$(printf %s "$name" | tr / +)"
  rm -rf "$dir" && mkdir -p "$dir"
  tar -xzf "$work/tarballs/$file" -C "$dir" --strip-components=1 --no-same-owner
done < "$work/versions.tsv"
echo "fetch: $(wc -l < "$work/versions.tsv") tarballs unpacked into $work/unpacked" >&2
