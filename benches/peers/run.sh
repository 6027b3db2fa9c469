#!/usr/bin/env bash
# Side-by-side benchmark: tarsier, ast-grep and semgrep on the same JavaScript tree (every
# version of ten Express-ecosystem packages, unpacked from tarsier's benchmark cache by
# make-input.sh), each with rule sets of the same size (16 rules: one per tarsier query rule).
# Installs the peers into benches/peers/.venv and benches/peers/node_modules (git-ignored),
# builds tarsier release, times RUNS runs of each tool (median wall time, largest peak RSS) and
# prints a table. Outputs and per-run logs go to target/peers-out/.
# Usage: RUNS=3 benches/peers/run.sh      (offline once installed: no registry rules, no metrics)
#   TOOLS="tarsier ast-grep" measures only these (others' last results stay and are summarized);
#   SEMGREP_RUNS=1 gives semgrep fewer runs than RUNS (one semgrep run takes minutes);
#   TIME_LIMIT=SECONDS stops a run that takes longer (default 3600; the table shows "> N").
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-3}
semgrep_runs=${SEMGREP_RUNS:-$runs}
tools=${TOOLS:-tarsier tarsier-all ast-grep semgrep}
time_limit=${TIME_LIMIT:-3600}
peers=benches/peers
input=target/peers-input
out=target/peers-out
ast_grep_version=${AST_GREP_VERSION:-0.51.1}
semgrep_version=${SEMGREP_VERSION:-1.185.0}

bash "$peers/make-input.sh" target/bench-cache "$input"
# Before any semgrep command, `--version` included: without these it checks for a newer version
# over the network after printing its own, and can hang there.
export SEMGREP_SEND_METRICS=off SEMGREP_ENABLE_VERSION_CHECK=0

# Peers, pinned; reinstalled only when missing or at another version.
if [ "$("$peers/.venv/bin/semgrep" --version 2>/dev/null || true)" != "$semgrep_version" ]; then
  python3 -m venv "$peers/.venv"
  "$peers/.venv/bin/pip" install --quiet "semgrep==$semgrep_version"
fi
sg="$peers/node_modules/@ast-grep/cli/ast-grep"
if [ "$("$sg" --version 2>/dev/null || true)" != "ast-grep $ast_grep_version" ]; then
  npm install --prefix "$peers" --no-save --no-audit --no-fund "@ast-grep/cli@$ast_grep_version" >&2
fi
cargo build --release --locked -p tarsier-cli --quiet
tarsier=target/release/tarsier

mkdir -p "$out"

# measure LABEL REPORT CMD...: runs CMD $runs times; the report (stdout or -o file) of the last
# run stays in $out/LABEL.report; wall seconds, peak RSS and CPU seconds of each run in $out/LABEL.N.time.
measure() {
  local label=$1 report=$2 n=$runs
  shift 2
  case " $tools " in *" $label "*) ;; *) return 0 ;; esac
  [ "$label" = semgrep ] && n=$semgrep_runs
  rm -f "$out/$label".*
  local i
  for ((i = 1; i <= n; i++)); do
    echo "$(date -u +%T) $label run $i/$n" >&2
    # Exit codes are not failures here: ast-grep exits 1 when a rule of severity error matched.
    /usr/bin/time -f '%e %M %U %S' -o "$out/$label.$i.time" timeout "$time_limit" "$@" >"$out/$label.$i.stdout" \
      2>"$out/$label.$i.stderr" || true
    if [ "$report" = stdout ]; then
      mv "$out/$label.$i.stdout" "$out/$label.report"
    fi
  done
  if [ "$report" != stdout ]; then
    cp "$report" "$out/$label.report" 2>/dev/null || true
  fi
}

measure tarsier "$out/tarsier.sarif" \
  "$tarsier" lint "$input" --format sarif -o "$out/tarsier.sarif" --fail-on never \
  --rule express --rule node
measure tarsier-all "$out/tarsier-all.sarif" \
  "$tarsier" lint "$input" --format sarif -o "$out/tarsier-all.sarif" --fail-on never
# --globs: JavaScript files only (ast-grep would also apply JavaScript rules inside HTML files).
measure ast-grep stdout \
  "$sg" scan -c "$peers/ast-grep/sgconfig.yml" --no-ignore hidden --json=compact \
  --globs '*.js' --globs '*.cjs' --globs '*.mjs' --globs '*.jsx' --inspect summary "$input"
# --no-git-ignore and --x-ignore-semgrepignore-files: the input lies in git-ignored target/ and
# semgrep's default ignore list skips test/ directories; --max-target-bytes as tarsier's default;
# --include: JavaScript files only (semgrep's javascript rules would also scan TypeScript).
measure semgrep "$out/semgrep.json" \
  "$peers/.venv/bin/semgrep" scan --config "$peers/semgrep.yml" --metrics=off \
  --disable-version-check --jobs 2 --json -o "$out/semgrep.json" --no-git-ignore \
  --x-ignore-semgrepignore-files --max-target-bytes 16777216 \
  --include '*.js' --include '*.cjs' --include '*.mjs' --include '*.jsx' "$input"

{
  echo "tarsier $("$tarsier" --version | awk '{print $2}')"
  echo "ast-grep $("$sg" --version | awk '{print $2}')"
  echo "semgrep $("$peers/.venv/bin/semgrep" --version)"
} >"$out/versions"
python3 "$peers/summarize.py" "$input" "$out"
echo
python3 "$peers/cases.py"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; load average after the runs:$(uptime | sed 's/.*load average://'); $(date -u '+%F %H:%M UTC')"
