#!/usr/bin/env bash
# The logic of the tarsier GitHub Action (action.yml at the repository root), kept here so CI can
# run it outside GitHub (tests/integrations/action.sh). Every step of the action calls
# `run.sh SUBCOMMAND`; inputs arrive as TARSIER_* environment variables, outputs go to
# $GITHUB_OUTPUT and the install directory to $GITHUB_PATH, as the runner defines them.
#
#   run.sh prepare   cache key of the source build (hash of the sources) and the install directory
#   run.sh install   tarsier from this action's source (cargo), a release binary, or PATH
#   run.sh run       lint/scan: the full SARIF (with baseline) and the SARIF to upload
#   run.sh finish    fail the job as tarsier's exit code says (after the upload step ran)
set -euo pipefail

action_path=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}
# Where the runner reads outputs and PATH additions from (a scratch file outside GitHub).
out_file=${GITHUB_OUTPUT:-/dev/null}
path_file=${GITHUB_PATH:-/dev/null}
install_mode=${TARSIER_INSTALL:-source}
# One install directory per cache key (prepare's `install-dir`, which the install step gets as
# TARSIER_INSTALL_ROOT), so a runner that keeps its tool cache never runs a stale build.
install_base=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/tarsier-action
install_root=${TARSIER_INSTALL_ROOT:-$install_base/default}

die() {
  echo "::error title=tarsier action::$*"
  echo "tarsier action: $*" >&2
  exit 2
}
output() { printf '%s=%s\n' "$1" "$2" >>"$out_file"; }

# A stable digest of what a source build depends on: the lock file, manifests, sources, rules.
source_digest() {
  (
    cd "$action_path"
    find Cargo.toml Cargo.lock crates rules -type f \
      \( -name '*.rs' -o -name '*.toml' -o -name '*.lock' -o -name '*.json' -o -name '*.scm' \) \
      -not -path '*/target/*' -print0 |
      LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
  )
}

cmd_prepare() {
  local digest key
  digest=$(source_digest)
  key="tarsier-${install_mode}-$(uname -s)-$(uname -m)-${TARSIER_VERSION:-src}-$digest"
  output cache-key "$key"
  output install-dir "$install_base/$key"
}

cmd_install() {
  local bin=$install_root/bin
  case "$install_mode" in
    source)
      if [ -x "$bin/tarsier" ]; then
        echo "tarsier from the cache: $("$bin/tarsier" --version)"
      else
        command -v cargo >/dev/null || die "install: source needs cargo (use actions-rust-lang/setup-rust-toolchain or dtolnay/rust-toolchain first)"
        cargo install --locked --root "$install_root" --path "$action_path/crates/tarsier-cli" --bin tarsier
      fi
      ;;
    release)
      [ -n "${TARSIER_VERSION:-}" ] || die "install: release needs version (a release tag)"
      if [ ! -x "$bin/tarsier" ]; then
        local target asset tmp
        case "$(uname -s)-$(uname -m)" in
          Linux-x86_64) target=x86_64-unknown-linux-gnu ;;
          Linux-aarch64) target=aarch64-unknown-linux-gnu ;;
          Darwin-arm64) target=aarch64-apple-darwin ;;
          Darwin-x86_64) target=x86_64-apple-darwin ;;
          *) die "install: no release binary for $(uname -s)-$(uname -m); use install: source" ;;
        esac
        asset="tarsier-$target.tar.gz"
        tmp=$(mktemp -d)
        gh release download "$TARSIER_VERSION" --repo "${TARSIER_ACTION_REPOSITORY:?}" \
          --pattern "$asset" --dir "$tmp" || die "install: cannot download $asset of release $TARSIER_VERSION"
        mkdir -p "$bin"
        tar -xzf "$tmp/$asset" -C "$bin" tarsier
        rm -rf "$tmp"
      fi
      ;;
    path)
      command -v tarsier >/dev/null || die "install: path, but no tarsier on PATH"
      bin=$(dirname "$(command -v tarsier)")
      ;;
    *) die "install must be source, release or path, not '$install_mode'" ;;
  esac
  "$bin/tarsier" --version
  echo "$bin" >>"$path_file"
  output tarsier "$bin/tarsier"
}

cmd_run() {
  local tarsier=${TARSIER_BIN:-tarsier}
  local command=${TARSIER_COMMAND:-lint}
  local sarif=${TARSIER_SARIF:-tarsier.sarif}
  local upload_sarif="${sarif%.sarif}.upload.sarif"
  local category=${TARSIER_CATEGORY:-tarsier/$command}
  local baseline=${TARSIER_BASELINE:-}
  local fail_on=${TARSIER_FAIL_ON:-warning}
  case "$command" in lint | scan) ;; *) die "command must be lint or scan, not '$command'" ;; esac
  # Arguments as the shell would split them, without evaluating anything in them.
  local -a args=()
  read -r -a args <<<"${TARSIER_ARGS:-}"
  local arg
  for arg in "${args[@]}"; do
    case "$arg" in
      --format | --format=* | -o | --output | --output=* | --category | --category=* | \
        --fail-on | --fail-on=* | --baseline | --baseline=* | --fail-on-new | --upload)
        die "args: $arg is set by the action (use its inputs: category, baseline, fail-on, sarif-file)"
        ;;
    esac
  done
  local -a report=(--format sarif --category "$category")
  local -a full=("${report[@]}" --fail-on "$fail_on" -o "$sarif")
  if [ -n "$baseline" ] && [ -f "$baseline" ]; then
    full+=(--baseline "$baseline")
    [ "${TARSIER_FAIL_ON_NEW:-true}" = true ] && full+=(--fail-on-new)
  elif [ -n "$baseline" ]; then
    echo "tarsier action: no baseline at $baseline (first run?): every finding counts as new"
  fi
  echo "+ tarsier $command ${args[*]} ${full[*]}"
  local code=0
  "$tarsier" "$command" "${args[@]}" "${full[@]}" || code=$?
  output exit-code "$code"
  [ "$code" -le 1 ] || die "tarsier $command failed (exit $code)"
  output sarif-file "$sarif"
  if [ "${TARSIER_UPLOAD:-true}" = true ]; then
    # GitHub ignores `suppressions`: the upload leaves suppressed results out and keeps within
    # GitHub's limits. A scan's second pass is served by the result cache (--offline).
    local -a again=()
    if [ "$command" = scan ] && [[ " ${args[*]} " != *" --offline "* ]]; then
      again+=(--offline)
    fi
    echo "+ tarsier $command ${args[*]} ${again[*]} ${report[*]} --upload -o $upload_sarif"
    local upload_code=0
    "$tarsier" "$command" "${args[@]}" "${again[@]}" "${report[@]}" --upload -o "$upload_sarif" \
      --fail-on never --quiet || upload_code=$?
    [ "$upload_code" = 0 ] || die "tarsier $command --upload failed (exit $upload_code)"
    output upload-sarif-file "$upload_sarif"
  fi
  output category "$category"
}

cmd_finish() {
  local code=${TARSIER_EXIT_CODE:-}
  case "$code" in
    0) echo "tarsier: nothing at or above the threshold" ;;
    1)
      if [ "${TARSIER_FAIL:-true}" = true ]; then
        echo "::error title=tarsier::findings at or above the threshold (see the code scanning alerts or ${TARSIER_SARIF:-tarsier.sarif})"
        exit 1
      fi
      echo "tarsier: findings at or above the threshold (fail: false)"
      ;;
    *) die "tarsier did not finish (exit code '${code}')" ;;
  esac
}

case "${1:-}" in
  prepare) cmd_prepare ;;
  install) cmd_install ;;
  run) cmd_run ;;
  finish) cmd_finish ;;
  *)
    echo "usage: run.sh prepare|install|run|finish" >&2
    exit 2
    ;;
esac
