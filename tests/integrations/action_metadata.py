"""Checks action.yml (a composite action's metadata) for what actionlint does not: actionlint
lints workflows, not action metadata. Reports every problem, exits 1 when there is any.

- the top-level keys GitHub knows, `runs.using: composite`, a `shell` on every `run` step;
- every `${{ inputs.X }}` names a declared input, every `${{ steps.ID.outputs.Y }}` a step id;
- every `uses:` names a version (`owner/repo@ref`);
- every TARSIER_* variable action/run.sh reads is passed by some step (and none passed unread).

Usage: python3 action_metadata.py ACTION_YML RUN_SH
"""

import re
import sys

import yaml


def main(action_path: str, script_path: str) -> int:
    with open(action_path, encoding="utf-8") as f:
        text = f.read()
    action = yaml.safe_load(text)
    problems = []
    known = {"name", "description", "author", "branding", "inputs", "outputs", "runs"}
    for key in action:
        if key not in known:
            problems.append(f"unknown top-level key `{key}`")
    for key in ("name", "description", "runs"):
        if key not in action:
            problems.append(f"missing `{key}`")
    runs = action.get("runs", {})
    if runs.get("using") != "composite":
        problems.append("runs.using is not `composite`")
    inputs = set((action.get("inputs") or {}).keys())
    steps = runs.get("steps") or []
    ids = {s["id"] for s in steps if "id" in s}
    passed = set()
    for i, step in enumerate(steps):
        where = f"step {i + 1} ({step.get('id', step.get('uses', 'run'))})"
        if "run" in step and "shell" not in step:
            problems.append(f"{where}: a `run` step needs `shell`")
        if ("run" in step) == ("uses" in step):
            problems.append(f"{where}: needs exactly one of `run` and `uses`")
        if "uses" in step and not re.fullmatch(r"[\w.-]+/[\w./-]+@[\w.-]+", step["uses"]):
            problems.append(f"{where}: `uses: {step['uses']}` names no version")
        passed.update(k for k in (step.get("env") or {}) if k.startswith("TARSIER_"))
    for name in re.findall(r"\$\{\{[^}]*?\binputs\.([\w-]+)", text):
        if name not in inputs:
            problems.append(f"`inputs.{name}` is not a declared input")
    for name in re.findall(r"\bsteps\.([\w-]+)\.outputs", text):
        if name not in ids:
            problems.append(f"`steps.{name}` names no step id")
    with open(script_path, encoding="utf-8") as f:
        read = set(re.findall(r"\$\{?(TARSIER_[A-Z_]+)", f.read()))
    for name in sorted(read - passed):
        problems.append(f"action/run.sh reads {name}, which no step passes")
    for name in sorted(passed - read):
        problems.append(f"a step passes {name}, which action/run.sh never reads")
    for p in problems:
        print(f"{action_path}: {p}")
    print(f"action metadata: {len(steps)} steps, {len(inputs)} inputs, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
