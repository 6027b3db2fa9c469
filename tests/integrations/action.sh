#!/usr/bin/env bash
# Tests the GitHub Action's logic (action/run.sh) outside GitHub, the way the runner drives it:
# inputs as environment variables, outputs read back from $GITHUB_OUTPUT, PATH additions from
# $GITHUB_PATH. Covers the three install modes (a release download through a stand-in `gh`), the
# SARIF category, the upload report, the baseline, the exit code handling and that arguments are
# never evaluated. Also checks action.yml against the script (tests/integrations/action_metadata.py).
#
# Needs: a built tarsier (TARSIER_BIN, default target/debug/tarsier), jq, python3 with PyYAML
# (PYTHON, default .tools/venv/bin/python). TARSIER_ACTION_TEST_CARGO=1 also runs the real
# `cargo install` of the source mode (reusing target/ through CARGO_TARGET_DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tarsier_bin=$(realpath "${TARSIER_BIN:-$root/target/debug/tarsier}")
python=${PYTHON:-$root/.tools/venv/bin/python}
run_sh=$root/action/run.sh
[ -x "$tarsier_bin" ] || { echo "tarsier not found at $tarsier_bin" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset GITHUB_ACTIONS
export GITHUB_ACTION_PATH=$root
passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
# output FILE NAME: the last value the step wrote for NAME.
output() { sed -n "s/^$2=//p" "$1" | tail -1; }
# step NAME SUBCOMMAND: runs run.sh with fresh GITHUB_OUTPUT/GITHUB_PATH files; sets $code.
step() {
  export GITHUB_OUTPUT=$work/$1.out GITHUB_PATH=$work/$1.path
  : >"$GITHUB_OUTPUT"
  : >"$GITHUB_PATH"
  code=0
  bash "$run_sh" "$2" >"$work/$1.log" 2>&1 || code=$?
}

# --- metadata
if "$python" "$root/tests/integrations/action_metadata.py" "$root/action.yml" "$run_sh"; then
  ok "action.yml agrees with action/run.sh"
else
  fail "action.yml agrees with action/run.sh"
fi

# --- prepare
TARSIER_INSTALL=source step prepare1 prepare
TARSIER_INSTALL=source step prepare2 prepare
key1=$(output "$work/prepare1.out" cache-key)
key2=$(output "$work/prepare2.out" cache-key)
TARSIER_INSTALL=release TARSIER_VERSION=v1.2.3 step prepare3 prepare
key3=$(output "$work/prepare3.out" cache-key)
if [ "$code" = 0 ] && [ -n "$key1" ] && [ "$key1" = "$key2" ] && [ "$key1" != "$key3" ] &&
  [[ "$key1" == tarsier-source-* ]] && [[ "$(output "$work/prepare1.out" install-dir)" == */"$key1" ]]; then
  ok "prepare: a stable cache key per install mode and source digest, an install directory per key"
else
  fail "prepare: keys '$key1' '$key2' '$key3'"
fi

# --- install: source, served by the cache (the binary already in the install directory)
export TARSIER_INSTALL_ROOT=$work/cached
mkdir -p "$TARSIER_INSTALL_ROOT/bin"
cp "$tarsier_bin" "$TARSIER_INSTALL_ROOT/bin/tarsier"
TARSIER_INSTALL=source step install-cached install
if [ "$code" = 0 ] && grep -q "tarsier from the cache" "$work/install-cached.log" &&
  [ "$(cat "$work/install-cached.path")" = "$TARSIER_INSTALL_ROOT/bin" ] &&
  [ "$(output "$work/install-cached.out" tarsier)" = "$TARSIER_INSTALL_ROOT/bin/tarsier" ]; then
  ok "install source: a cache hit builds nothing and puts tarsier on PATH"
else
  fail "install source (cached): exit $code"; cat "$work/install-cached.log" >&2
fi

# --- install: source, really built by cargo (opt-in: slow when target/ is not fresh)
if [ "${TARSIER_ACTION_TEST_CARGO:-0}" = 1 ]; then
  export TARSIER_INSTALL_ROOT=$work/built
  CARGO_TARGET_DIR=$root/target TARSIER_INSTALL=source step install-cargo install
  if [ "$code" = 0 ] && [ -x "$work/built/bin/tarsier" ] &&
    "$work/built/bin/tarsier" --version | grep -q '^tarsier '; then
    ok "install source: cargo install of the action's source"
  else
    fail "install source (cargo): exit $code"; cat "$work/install-cargo.log" >&2
  fi
fi

# --- install: release, through a stand-in for GitHub's `gh` that records its arguments
mkdir -p "$work/fakebin" "$work/asset"
cp "$tarsier_bin" "$work/asset/tarsier"
tar -czf "$work/asset.tar.gz" -C "$work/asset" tarsier
cat >"$work/fakebin/gh" <<FAKE
#!/usr/bin/env bash
echo "\$*" > "$work/gh-args"
dir=.; pattern=
while [ \$# -gt 0 ]; do
  case "\$1" in --dir) dir=\$2; shift ;; --pattern) pattern=\$2; shift ;; esac
  shift
done
cp "$work/asset.tar.gz" "\$dir/\$pattern"
FAKE
chmod +x "$work/fakebin/gh"
export TARSIER_INSTALL_ROOT=$work/release
PATH="$work/fakebin:$PATH" TARSIER_INSTALL=release TARSIER_VERSION=v9.9.9 \
  TARSIER_ACTION_REPOSITORY=example/tarsier step install-release install
if [ "$code" = 0 ] && [ -x "$work/release/bin/tarsier" ] &&
  grep -q "^release download v9.9.9 --repo example/tarsier --pattern tarsier-$(uname -m)-" "$work/gh-args"; then
  ok "install release: downloads the platform's asset of the tag and unpacks tarsier"
else
  fail "install release: exit $code"; cat "$work/install-release.log" "$work/gh-args" >&2 || true
fi
TARSIER_INSTALL=release TARSIER_VERSION='' step install-noversion install
if [ "$code" = 2 ] && grep -q "needs version" "$work/install-noversion.log"; then
  ok "install release without a version is an error"
else
  fail "install release without a version: exit $code"
fi

# --- install: path (e.g. tarsier from npm)
mkdir -p "$work/onpath"
ln -s "$tarsier_bin" "$work/onpath/tarsier"
PATH="$work/onpath:$PATH" TARSIER_INSTALL=path step install-path install
if [ "$code" = 0 ] && [ "$(cat "$work/install-path.path")" = "$work/onpath" ]; then
  ok "install path: uses the tarsier already on PATH"
else
  fail "install path: exit $code"; cat "$work/install-path.log" >&2
fi
unset TARSIER_INSTALL_ROOT

# --- run: lint with a category, the full report and the upload report
cd "$work"
mkdir -p src
cp "$root/corpus/redirect-guard/lib/index.js" src/redirect.js
cp "$root/corpus/legacy-utils/lib/index.js" src/legacy.js
export TARSIER_BIN=$tarsier_bin
TARSIER_COMMAND=lint TARSIER_ARGS="src/redirect.js  src/legacy.js" TARSIER_CATEGORY=tarsier-test/lint \
  TARSIER_SARIF=first.sarif step run1 run
if [ "$code" = 0 ] && [ "$(output run1.out exit-code)" = 1 ] &&
  [ "$(jq -r '.runs[0].automationDetails.id' first.sarif)" = "tarsier-test/lint/" ] &&
  [ "$(jq -r '.runs[0].automationDetails.id' first.upload.sarif)" = "tarsier-test/lint/" ] &&
  [ "$(output run1.out upload-sarif-file)" = first.upload.sarif ] &&
  [ "$(output run1.out category)" = tarsier-test/lint ]; then
  ok "run lint: SARIF with the category as automationDetails.id, exit code 1 recorded"
else
  fail "run lint: exit $code"; cat run1.log run1.out >&2
fi
suppressed_full=$(jq '[.runs[0].results[] | select((.suppressions // []) | length > 0)] | length' first.sarif)
suppressed_upload=$(jq '[.runs[0].results[] | select((.suppressions // []) | length > 0)] | length' first.upload.sarif)
if [ "$suppressed_full" -gt 0 ] && [ "$suppressed_upload" = 0 ]; then
  ok "run lint: the upload report leaves the $suppressed_full suppressed result(s) out"
else
  fail "run lint: suppressed results full=$suppressed_full upload=$suppressed_upload"
fi

# --- run: against the baseline, only new findings fail
TARSIER_COMMAND=lint TARSIER_ARGS="src/redirect.js src/legacy.js" TARSIER_CATEGORY=tarsier-test/lint \
  TARSIER_SARIF=second.sarif TARSIER_BASELINE=first.sarif TARSIER_UPLOAD=false step run2 run
states=$(jq -r '[.runs[0].results[].baselineState] | unique | join(",")' second.sarif)
if [ "$code" = 0 ] && [ "$(output run2.out exit-code)" = 0 ] && [ "$states" = unchanged ] &&
  [ -z "$(output run2.out upload-sarif-file)" ]; then
  ok "run lint with a baseline: all unchanged, exit code 0, no upload report when upload is off"
else
  fail "run lint with a baseline: exit $code, states '$states'"; cat run2.log run2.out >&2
fi
printf '%s\n' "app.get('/x', (req, res) => res.redirect(req.query.next));" >src/new.js
TARSIER_COMMAND=lint TARSIER_ARGS="src" TARSIER_SARIF=third.sarif TARSIER_BASELINE=first.sarif \
  TARSIER_UPLOAD=false step run3 run
if [ "$code" = 0 ] && [ "$(output run3.out exit-code)" = 1 ] &&
  [ "$(jq '[.runs[0].results[] | select(.baselineState == "new")] | length' third.sarif)" -ge 1 ]; then
  ok "run lint with a baseline: a new finding fails"
else
  fail "run lint with a new finding: exit $code"; cat run3.log >&2
fi
TARSIER_COMMAND=lint TARSIER_ARGS="src/redirect.js" TARSIER_SARIF=fourth.sarif \
  TARSIER_BASELINE=missing.sarif TARSIER_UPLOAD=false step run4 run
if [ "$code" = 0 ] && grep -q "no baseline at missing.sarif" run4.log &&
  [ "$(jq -r '.runs[0].automationDetails.id' fourth.sarif)" = "tarsier/lint/" ]; then
  ok "run lint: a missing baseline (first night) is not an error; default category tarsier/lint/"
else
  fail "run lint with a missing baseline: exit $code"; cat run4.log >&2
fi

# --- run: arguments are split, never evaluated
# shellcheck disable=SC2016 # the point: text that a shell would expand
TARSIER_COMMAND=lint TARSIER_ARGS='src/redirect.js $(touch pwned) `touch pwned2`' TARSIER_SARIF=fifth.sarif \
  TARSIER_UPLOAD=false step run5 run
if [ ! -e pwned ] && [ ! -e pwned2 ] && [ "$code" = 0 ]; then
  ok "run: shell syntax in args is passed as text, not run"
else
  fail "run: args were evaluated (or run failed: exit $code)"; cat run5.log >&2
fi
TARSIER_COMMAND=lint TARSIER_ARGS="src --format text" step run7 run
if [ "$code" = 2 ] && grep -q "args: --format is set by the action" run7.log; then
  ok "run: flags the action sets are refused in args"
else
  fail "run: --format in args: exit $code"; cat run7.log
fi
TARSIER_COMMAND=publish step run6 run
if [ "$code" = 2 ] && grep -q "::error title=tarsier action::command must be lint or scan" run6.log; then
  ok "run: an unknown command is an error annotation"
else
  fail "run: unknown command: exit $code"
fi

# --- finish: the job fails after the upload, as tarsier's exit code says
TARSIER_EXIT_CODE=1 step finish1 finish
c1=$code
TARSIER_EXIT_CODE=1 TARSIER_FAIL=false step finish2 finish
c2=$code
TARSIER_EXIT_CODE=0 step finish3 finish
c3=$code
TARSIER_EXIT_CODE='' step finish4 finish
c4=$code
if [ "$c1/$c2/$c3/$c4" = 1/0/0/2 ] && grep -q '^::error title=tarsier::' finish1.log; then
  ok "finish: findings fail the job (unless fail: false); a run that did not finish is an error"
else
  fail "finish: exit codes $c1/$c2/$c3/$c4"
fi

echo "GitHub Action script: $passed passed, $failed failed"
[ "$failed" = 0 ]
