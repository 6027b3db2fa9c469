"""Per-class table of the advisory benchmark (see run.sh): reads cases.toml and tarsier's JSON."""
import collections
import json
import os
import sys
import tomllib

NEAR = 3


def main(cases_path, findings_path):
    cases = tomllib.load(open(cases_path, "rb"))["case"]
    report = json.load(open(findings_path))
    by_file = collections.defaultdict(list)
    for f in report["findings"]:
        if f["rule_id"].startswith("supply-chain/"):
            continue
        pkg = f["package"] or {}
        key = (pkg.get("name"), pkg.get("version"), f["path"])
        by_file[key].append(f)
    scanned = {(f.get("package") or {}).get("name", "") + "@" + (f.get("package") or {}).get("version", "")
               for f in report["findings"]}
    failed = [n["message"] for n in report.get("notifications", []) if n.get("level") == "error"]
    rows = collections.OrderedDict()
    verbose = os.environ.get("VERBOSE")
    for c in cases:
        vuln = by_file[(c["package"], c["vulnerable"], c["file"])]
        fixed = by_file[(c["package"], c["fixed"], c["file"])]
        hits = [f for f in vuln
                if any(abs(f["span"]["start_line"] - line) <= NEAR for line in c["lines"])]
        row = rows.setdefault(c["class"], [0, 0, 0])
        row[0] += 1
        row[1] += bool(hits)
        row[2] += len(fixed) < len(vuln)
        if verbose:
            ident = c.get("advisory") or c.get("ghsa")
            rules = sorted({f["rule_id"] for f in hits})
            print(f'{"HIT " if hits else "miss"} {ident:<16} {c["package"]}@{c["vulnerable"]} '
                  f'{c["file"]}:{c["lines"]} vuln={len(vuln)} fixed={len(fixed)} {",".join(rules)}')
    print(f'| class | cases | hits at the flaw | fixed version quieter |')
    print(f'|---|---:|---:|---:|')
    total = [0, 0, 0]
    for name, (n, h, q) in sorted(rows.items()):
        print(f"| {name} | {n} | {h} | {q} |")
        total = [a + b for a, b in zip(total, (n, h, q))]
    print(f"| **all** | {total[0]} | {total[1]} | {total[2]} |")
    for message in failed:
        print(f"error: {message}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
