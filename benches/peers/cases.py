"""How close the peer rule sets come to tarsier's rules, on tarsier's own rule test cases.

Writes the `[tests] invalid` and `valid` snippets of every rule in rules/express and rules/node to
target/peers-cases/, runs ast-grep and semgrep (installed by run.sh) on them and prints, per rule,
how many invalid cases each peer reports and how many valid cases it leaves alone. tarsier passes
all of them (its rule self-tests). Usage, from the repository root: python3 benches/peers/cases.py
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict

PEERS = "benches/peers"
CASES = "target/peers-cases"


def write_cases():
    shutil.rmtree(CASES, ignore_errors=True)
    expected = []
    for path in sorted(glob.glob("rules/express/*.toml") + glob.glob("rules/node/*.toml")):
        with open(path, "rb") as f:
            rule = tomllib.load(f)
        for kind in ("invalid", "valid"):
            for i, case in enumerate(rule.get("tests", {}).get(kind, [])):
                code = case if isinstance(case, str) else case.get("code", "")
                target = os.path.join(CASES, kind, rule["id"].replace("/", "__"), f"{i}.js")
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "w", encoding="utf-8") as f:
                    f.write(code)
                expected.append((rule["id"], kind, os.path.abspath(target)))
    return expected


def normalize(rule_id):
    for pack in ("express", "node"):
        i = rule_id.rfind(pack + ".")
        if i >= 0:
            return pack + "/" + rule_id[i + len(pack) + 1:]
    return rule_id


def run_ast_grep():
    out = subprocess.run(
        [f"{PEERS}/node_modules/@ast-grep/cli/ast-grep", "scan", "-c", f"{PEERS}/ast-grep/sgconfig.yml",
         "--json=compact", CASES], capture_output=True, text=True, check=False)
    hits = defaultdict(set)
    for r in json.loads(out.stdout or "[]"):
        hits[os.path.abspath(r["file"])].add(r["ruleId"])
    return hits


def run_semgrep():
    out = subprocess.run(
        [f"{PEERS}/.venv/bin/semgrep", "scan", "--config", f"{PEERS}/semgrep.yml", "--metrics=off",
         "--disable-version-check", "--json", "--no-git-ignore", "--x-ignore-semgrepignore-files", CASES],
        capture_output=True, text=True, check=False)
    report = json.loads(out.stdout or "{}")
    if report.get("errors"):
        print(f"semgrep errors: {report['errors']}", file=sys.stderr)
    hits = defaultdict(set)
    for r in report.get("results", []):
        hits[os.path.abspath(r["path"])].add(normalize(r["check_id"]))
    return hits


def main():
    expected = write_cases()
    peers = {"ast-grep": run_ast_grep(), "semgrep": run_semgrep()}
    tally = Counter()
    totals = Counter()
    for rule_id, kind, path in expected:
        totals[(rule_id, kind)] += 1
        for peer, hits in peers.items():
            if (rule_id in hits[path]) == (kind == "invalid"):
                tally[(peer, rule_id, kind)] += 1
    print("| rule | cases (invalid / valid) | ast-grep: invalid found, valid clean | semgrep: invalid found, valid clean |")
    print("|---|---|---|---|")
    sums = Counter()
    for rule_id in sorted({r for r, _, _ in expected}):
        inv, val = totals[(rule_id, "invalid")], totals[(rule_id, "valid")]
        cells = []
        for peer in peers:
            a, b = tally[(peer, rule_id, "invalid")], tally[(peer, rule_id, "valid")]
            sums[(peer, "invalid")] += a
            sums[(peer, "valid")] += b
            cells.append(f"{a}/{inv}, {b}/{val}")
        sums["invalid"] += inv
        sums["valid"] += val
        print(f"| {rule_id} | {inv} / {val} | " + " | ".join(cells) + " |")
    cells = [f"{sums[(p, 'invalid')]}/{sums['invalid']}, {sums[(p, 'valid')]}/{sums['valid']}" for p in peers]
    print(f"| all | {sums['invalid']} / {sums['valid']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
