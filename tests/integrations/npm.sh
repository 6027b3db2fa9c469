#!/usr/bin/env bash
# Tests the npm distribution: builds the host platform's package and the launcher (npm/build.sh),
# packs both with `npm pack`, installs them from the local tarballs into a temporary project with
# `npm install --offline` (no registry is asked for anything: the other platforms' optional
# packages are skipped), then runs `npx tarsier --version` and a lint through the launcher.
# Also checks that no package has an install script.
#
# Needs: node and npm, a built tarsier (TARSIER_BIN, default target/release/tarsier).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tarsier_bin=$(realpath "${TARSIER_BIN:-$root/target/release/tarsier}")
[ -x "$tarsier_bin" ] || { echo "tarsier not found at $tarsier_bin" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset GITHUB_ACTIONS
# A private npm cache: the install must succeed from the tarballs alone.
export npm_config_cache=$work/npm-cache npm_config_update_notifier=false npm_config_fund=false \
  npm_config_audit=false
passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

bash "$root/npm/build.sh" --binary "$tarsier_bin" --out "$work/build"
mkdir -p "$work/tarballs"
for dir in "$work"/build/*/; do
  (cd "$work/tarballs" && npm pack --silent "$dir" >/dev/null)
done
ls "$work/tarballs"
version=$("$tarsier_bin" --version | awk '{print $2}')
platform_tgz=$(ls "$work"/tarballs/tarsier-cli-*-"$version".tgz)
launcher_tgz=$work/tarballs/tarsier-$version.tgz

# No install scripts anywhere (tarsier's own supply-chain rules flag them).
scripts=0
for tgz in "$work"/tarballs/*.tgz; do
  if tar -xOzf "$tgz" package/package.json | node -e '
    const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const s = m.scripts || {};
    process.exit(["preinstall", "install", "postinstall", "prepare"].some((k) => k in s) ? 1 : 0);
  '; then :; else
    echo "install script in $tgz" >&2
    scripts=$((scripts + 1))
  fi
done
platform_files=$(tar -tzf "$platform_tgz")
launcher_files=$(tar -tzf "$launcher_tgz")
if [ "$scripts" = 0 ] && grep -qx 'package/tarsier' <<<"$platform_files" &&
  grep -qx 'package/bin/tarsier.js' <<<"$launcher_files" &&
  ! grep -q 'package/tarsier$' <<<"$launcher_files"; then
  ok "packed: the binary in the platform package, the launcher in tarsier, no install script"
else
  fail "packed packages"
fi

# Install from the tarballs only, offline.
project=$work/project
mkdir -p "$project/src"
cd "$project"
printf '{ "name": "npm-install-test", "version": "1.0.0", "private": true }\n' >package.json
printf '%s\n' "app.get('/go', (req, res) => res.redirect(req.query.to));" >src/app.js
if npm install --offline --no-audit --no-fund --loglevel=error "$platform_tgz" "$launcher_tgz" \
  >"$work/install.log" 2>&1; then
  ok "npm install --offline from the local tarballs"
else
  fail "npm install"; cat "$work/install.log"
fi

out=$(npx --offline tarsier --version 2>&1 || true)
if [ "$out" = "tarsier $version" ]; then
  ok "npx tarsier --version: $out"
else
  fail "npx tarsier --version said: $out"
fi

code=0
npx --offline tarsier lint src --format json >"$work/lint.json" 2>"$work/lint.err" || code=$?
rule=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).findings[0].rule_id' "$work/lint.json" 2>/dev/null || true)
if [ "$code" = 1 ] && [ "$rule" = express/open-redirect ]; then
  ok "npx tarsier lint: the finding and exit code 1 come through the launcher"
else
  fail "npx tarsier lint: exit $code, rule '$rule'"; cat "$work/lint.err"
fi

# Without the platform package the launcher says what is missing (exit 2), not a stack trace.
rm -rf node_modules/@tarsier
code=0
err=$(npx --offline tarsier --version 2>&1) || code=$?
if [ "$code" = 2 ] && [[ "$err" == *"platform package @tarsier/cli-"*"is not installed"* ]]; then
  ok "launcher without its platform package: a clear error, exit 2"
else
  fail "launcher without its platform package: exit $code: $err"
fi

echo "npm packages: $passed passed, $failed failed"
[ "$failed" = 0 ]
