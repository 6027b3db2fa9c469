"""Prints the tables of the side-by-side benchmark from the outputs that run.sh left.

Usage: python3 summarize.py INPUT_DIR OUT_DIR
Tables are Markdown, ready for README.md: one row per tool, then findings per rule.
"""

import json
import os
import re
import statistics
import sys
from collections import Counter

JS_EXTENSIONS = (".js", ".cjs", ".mjs", ".jsx")


def input_size(root):
    """JavaScript files and bytes under root, and package.json files (tarsier lints those too)."""
    files = size = manifests = 0
    for d, dirs, names in os.walk(root):
        dirs[:] = [x for x in dirs if x not in ("node_modules", ".git")]
        for n in names:
            if n.lower().endswith(JS_EXTENSIONS):
                files += 1
                size += os.path.getsize(os.path.join(d, n))
            elif n == "package.json":
                manifests += 1
    return files, size, manifests


def timings(out, label):
    """Wall seconds, peak RSS MiB, CPU seconds of each run; a run stopped by TIME_LIMIT counts as
    its wall time with a flag."""
    walls, rss, cpus, stopped = [], [], [], False
    for i in range(1, 100):
        if not os.path.exists(os.path.join(out, f"{label}.{i}.time")):
            break
        try:
            with open(os.path.join(out, f"{label}.{i}.time")) as f:
                last = f.read().split("\n")
            stopped = stopped or any("status 124" in x for x in last)
            # GNU time prints "Command exited with non-zero status N" before the figures.
            fields = [x for x in last if re.match(r"^[0-9.]+ [0-9]+( [0-9.]+ [0-9.]+)?$", x)][-1].split()
            walls.append(float(fields[0]))
            rss.append(int(fields[1]) / 1024)
            if len(fields) == 4:
                cpus.append(float(fields[2]) + float(fields[3]))
        except (OSError, IndexError, ValueError):
            pass
    return walls, rss, cpus, stopped


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def normalize(rule_id):
    """semgrep ids are `express.open-redirect`, possibly prefixed with the config's path."""
    m = re.search(r"(express|node|redos|supply-chain)[./]([A-Za-z0-9-]+)$", rule_id)
    return f"{m.group(1)}/{m.group(2)}" if m else rule_id


def main():
    root, out = sys.argv[1], sys.argv[2]
    js_files, js_bytes, manifests = input_size(root)
    mb = js_bytes / 1e6
    versions = dict(line.split(" ", 1) for line in read(os.path.join(out, "versions")).split("\n") if " " in line)
    rows, per_rule = [], {}

    for label, tool, rules in (("tarsier", "tarsier", "16 (`--rule express --rule node`)"),
                               ("tarsier-all", "tarsier", "all that lint runs (33 listed)")):
        err = read(os.path.join(out, f"{label}.1.stderr"))
        m = re.search(r"in (\d+) files?", err)
        # tarsier's count is of the JavaScript files parsed (package.json files are linted too).
        files = f"{m.group(1)} JS" if m else "?"
        try:
            sarif = json.loads(read(os.path.join(out, f"{label}.report")))
            results = sarif["runs"][0]["results"]
            counts = Counter(r["ruleId"] for r in results)
        except (ValueError, KeyError, IndexError):
            counts = None
        per_rule[label] = counts
        rows.append((label, versions.get("tarsier", "?"), rules, files, counts, timings(out, label), ""))

    err = read(os.path.join(out, "ast-grep.1.stderr"))
    m = re.search(r"scannedFileCount=(\d+),skippedFileCount=(\d+)", err)
    files = f"{m.group(1)} JS ({m.group(2)} skipped)" if m else "?"
    try:
        counts = Counter(r["ruleId"] for r in json.loads(read(os.path.join(out, "ast-grep.report"))))
    except (ValueError, KeyError, TypeError):
        counts = None
    per_rule["ast-grep"] = counts
    rows.append(("ast-grep", versions.get("ast-grep", "?"), "16 (YAML)", files, counts,
                 timings(out, "ast-grep"), ""))

    note = ""
    try:
        sem = json.loads(read(os.path.join(out, "semgrep.report")))
        counts = Counter(normalize(r["check_id"]) for r in sem["results"])
        scanned = len(sem.get("paths", {}).get("scanned", []))
        kinds = Counter(e.get("type", "?") if isinstance(e.get("type"), str) else str(e.get("type")[0])
                        for e in sem.get("errors", []))
        files = f"{scanned} JS"
        if kinds:
            note = "errors: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    except (ValueError, KeyError, TypeError, IndexError):
        counts, files = None, "?"
    per_rule["semgrep"] = counts
    rows.append(("semgrep", versions.get("semgrep", "?"), "16 (YAML, 7 in taint mode)", files, counts,
                 timings(out, "semgrep"), note))

    base = statistics.median(rows[0][5][0]) if rows[0][5][0] else None
    print(f"Input: {js_files} JavaScript files, {mb:.1f} MB (and {manifests} package.json), in {root}; "
          "wall time: median of the runs listed.\n")
    print("| tool | version | rules | files scanned | findings | wall s (median) | MB/s | ratio vs tarsier | CPU s (median) | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, version, rules, files, counts, (walls, rss, cpus, stopped), extra in rows:
        wall = statistics.median(walls) if walls else None
        findings = sum(counts.values()) if counts is not None else "?"
        cells = [label, version, rules, files, str(findings),
                 (f"> {wall:.0f} (stopped by TIME_LIMIT)" if stopped else
                  f"{wall:.2f} ({', '.join(f'{w:.1f}' for w in walls)})") if wall else "?",
                 ("< " if stopped else "") + f"{mb / wall:.2f}" if wall else "?",
                 ("> " if stopped else "") + f"{wall / base:.2f}x" if wall and base else "?",
                 f"{statistics.median(cpus):.1f}" if cpus else "?",
                 f"{max(rss):.0f}" if rss else "?"]
        print("| " + " | ".join(cells) + " |")
        if extra:
            print(f"|  |  |  |  | {extra} |  |  |  |  |  |")
    print()
    ids = sorted({k for c in per_rule.values() if c for k in c})
    print("| rule | tarsier (16) | tarsier (all) | ast-grep | semgrep |")
    print("|---|---|---|---|---|")
    for rule_id in ids:
        cells = [str(per_rule[t].get(rule_id, 0)) if per_rule[t] is not None else "?"
                 for t in ("tarsier", "tarsier-all", "ast-grep", "semgrep")]
        print(f"| {rule_id} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
