#!/usr/bin/env bash
# Builds the npm packages for the host platform into OUT (default target/npm): the platform
# package `@tarsier/cli-<platform>-<arch>` holding the release binary, and the `tarsier`
# launcher package with its optionalDependencies pinned to the binary's version. Publish (or
# `npm pack`) both directories; a release publishes one platform package per supported target
# (built on that target with this same script) and then `tarsier`.
#
# Usage: npm/build.sh [--binary PATH] [--out DIR]
#   --binary  the tarsier binary (default: target/release/tarsier, built with cargo if missing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
binary=""
out=$root/target/npm
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: npm/build.sh [--binary PATH] [--out DIR]" >&2; exit 2 ;;
  esac
done
if [ -z "$binary" ]; then
  binary=$root/target/release/tarsier
  if [ ! -x "$binary" ]; then
    (cd "$root" && cargo build --release --locked -p tarsier-cli)
  fi
fi
[ -x "$binary" ] || { echo "npm/build.sh: no executable at $binary" >&2; exit 2; }

# `tarsier 0.1.0` -> 0.1.0; the packages carry the binary's own version.
version=$("$binary" --version | awk '{print $2}')
launcher_version=$(node -p "require('$root/npm/tarsier/package.json').version")
if [ "$version" != "$launcher_version" ]; then
  echo "npm/build.sh: the binary is $version but npm/tarsier/package.json says $launcher_version" >&2
  exit 2
fi
# npm's names for the platform: process.platform and process.arch.
platform=$(node -p 'process.platform')
arch=$(node -p 'process.arch')
name="@tarsier/cli-$platform-$arch"
grep -q "\"$name\"" "$root/npm/tarsier/package.json" ||
  { echo "npm/build.sh: $name is not among the launcher's optionalDependencies" >&2; exit 2; }
exe=tarsier
[ "$platform" = win32 ] && exe=tarsier.exe

pkg_dir=$out/cli-$platform-$arch
rm -rf "$pkg_dir" "$out/tarsier"
mkdir -p "$pkg_dir" "$out/tarsier"
cp "$binary" "$pkg_dir/$exe"
chmod 755 "$pkg_dir/$exe"
cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$pkg_dir/"
# shellcheck disable=SC2016 # JavaScript template strings, not shell
NAME=$name VERSION=$version PLATFORM=$platform ARCH=$arch EXE=$exe node -e '
const { writeFileSync } = require("node:fs");
const e = process.env;
const manifest = {
  name: e.NAME,
  version: e.VERSION,
  description: `The tarsier binary for ${e.PLATFORM}-${e.ARCH} (installed by the tarsier package).`,
  license: "MIT OR Apache-2.0",
  repository: { type: "git", url: "git+https://github.com/tarsier-scan/tarsier.git" },
  os: [e.PLATFORM],
  cpu: [e.ARCH],
  files: [e.EXE, "LICENSE-MIT", "LICENSE-APACHE"],
  preferUnplugged: true,
};
writeFileSync(process.argv[1] + "/package.json", JSON.stringify(manifest, null, 2) + "\n");
' "$pkg_dir"

cp -R "$root/npm/tarsier/." "$out/tarsier/"
chmod 755 "$out/tarsier/bin/tarsier.js"
cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$out/tarsier/"
echo "npm/build.sh: $name@$version in $pkg_dir; tarsier@$version in $out/tarsier"
