#!/usr/bin/env bash
# Tests .pre-commit-hooks.yaml with the real pre-commit on a temporary git repository: the hook
# fails on a staged finding, passes when the finding carries a suppression comment, lints staged
# JavaScript only (not unstaged or non-JavaScript files).
#
# Needs: `pre-commit` (PRE_COMMIT, default .tools/venv/bin/pre-commit, which .ci/integrations
# installs) and a built tarsier (TARSIER_BIN, default target/debug/tarsier).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
pre_commit=${PRE_COMMIT:-$root/.tools/venv/bin/pre-commit}
tarsier_bin=$(realpath "${TARSIER_BIN:-$root/target/debug/tarsier}")
[ -x "$pre_commit" ] || { echo "pre-commit not found at $pre_commit" >&2; exit 2; }
[ -x "$tarsier_bin" ] || { echo "tarsier not found at $tarsier_bin" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The hook runs `tarsier` from PATH (language: system).
mkdir -p "$work/bin"
ln -s "$tarsier_bin" "$work/bin/tarsier"
export PATH="$work/bin:$PATH"
export PRE_COMMIT_HOME="$work/pre-commit-home"
unset GITHUB_ACTIONS

# The hook repository: this checkout's .pre-commit-hooks.yaml as it is on disk (committed or not),
# in a repository of its own, so the test checks the working copy's file.
hooks="$work/hooks"
mkdir -p "$hooks"
cp "$root/.pre-commit-hooks.yaml" "$hooks/"
git -C "$hooks" init -q
git -C "$hooks" add .pre-commit-hooks.yaml
git -C "$hooks" -c user.email=ci@example.invalid -c user.name=ci -c commit.gpgsign=false \
  commit -qm hooks

repo="$work/repo"
mkdir -p "$repo"
cd "$repo"
git init -q
git config user.email ci@example.invalid
git config user.name ci
git config commit.gpgsign false

passed=0
failed=0
check() { # check NAME EXPECTED_EXIT [OUTPUT_MUST_CONTAIN]
  local name=$1 expected=$2 needle=${3:-}
  local code=0
  "$pre_commit" try-repo "$hooks" tarsier-lint --color never >"$work/out.txt" 2>&1 || code=$?
  if [ "$code" != "$expected" ]; then
    echo "FAIL $name: exit $code, expected $expected" >&2
    cat "$work/out.txt" >&2
    failed=$((failed + 1))
  elif [ -n "$needle" ] && ! grep -qF -- "$needle" "$work/out.txt"; then
    echo "FAIL $name: output lacks '$needle'" >&2
    cat "$work/out.txt" >&2
    failed=$((failed + 1))
  else
    echo "ok   $name"
    passed=$((passed + 1))
  fi
}

# A finding in a staged file fails the hook and is shown.
printf '%s\n' "const express = require('express');" "const app = express();" \
  "app.get('/go', (req, res) => res.redirect(req.query.to));" > app.js
git add app.js
check "staged finding fails the hook" 1 "express/open-redirect"

# The same line with a suppression comment (the engine's syntax) passes.
printf '%s\n' "const express = require('express');" "const app = express();" \
  "// tarsier-ignore-next-line express/open-redirect -- the target is checked by the proxy" \
  "app.get('/go', (req, res) => res.redirect(req.query.to));" > app.js
git add app.js
check "suppressed finding passes" 0 "Passed"
git commit -qm "suppressed" --no-verify

# Non-JavaScript files are not handed to tarsier; an unstaged JavaScript file is not linted.
printf '%s\n' "app.get('/go', (req, res) => res.redirect(req.query.to));" > notes.md
git add notes.md
printf '%s\n' "app.get('/go', (req, res) => res.redirect(req.query.to));" > unstaged.js
check "non-JavaScript and unstaged files are skipped" 0 "(no files to check)"
git commit -qm notes --no-verify

# .mjs and .cjs are JavaScript too.
printf '%s\n' "app.get('/go', (req, res) => res.redirect(req.query.to));" > route.mjs
git add route.mjs
check "staged .mjs is linted" 1 "route.mjs"

echo "pre-commit hook: $passed passed, $failed failed"
[ "$failed" = 0 ]
