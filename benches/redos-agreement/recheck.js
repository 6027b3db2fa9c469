// Runs recheck on JSON lines {pattern, flags, ...} and prints each line with a `recheck`
// field: {status, complexity, degree, checker, attack, error, ms}. `complexity` is
// exponential, polynomial, safe (recheck's constant/linear/safe) or the error kind for
// status unknown (timeout, unsupported, invalid, ...).
//
// The backend is recheck's native binary when its package is installed for this platform,
// else its pure-JS implementation (recheck's `worker` backend runs it off the main thread);
// RECHECK_BACKEND overrides. Each regex gets recheck's own `timeout` (RECHECK_TIMEOUT_MS,
// default 10000) and an abort signal a little later as a guard, so nothing hangs.
//
// Usage: node recheck.js < in.jsonl > out.jsonl
"use strict";
const readline = require("readline");

if (!process.env.RECHECK_BACKEND) {
  let native = false;
  try {
    require.resolve(`recheck-${{ linux: "linux", darwin: "macos", win32: "windows" }[process.platform]}-${process.arch}/package.json`);
    native = true;
  } catch {}
  process.env.RECHECK_BACKEND = native ? "native" : "worker";
}
const { check } = require("recheck");
const timeout = Number(process.env.RECHECK_TIMEOUT_MS || 10000);

async function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  let count = 0;
  let totalMs = 0;
  for await (const line of rl) {
    if (!line.trim()) continue;
    const obj = JSON.parse(line);
    const started = process.hrtime.bigint();
    let d;
    try {
      d = await check(obj.pattern, obj.flags, { timeout, signal: AbortSignal.timeout(timeout + 5000) });
    } catch (e) {
      d = { status: "unknown", error: { kind: "exception", message: String(e && e.message) } };
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    count++;
    totalMs += ms;
    const r = { status: d.status, checker: d.checker ?? null, ms: Math.round(ms * 1000) / 1000 };
    if (d.status === "vulnerable") {
      r.complexity = d.complexity.type;
      if (d.complexity.type === "polynomial") r.degree = d.complexity.degree;
      r.fuzz = d.complexity.isFuzz;
      r.attack = { pumps: d.attack.pumps, suffix: d.attack.suffix, base: d.attack.base, pattern: d.attack.pattern };
    } else if (d.status === "safe") {
      r.complexity = "safe";
    } else {
      r.complexity = d.error?.kind ?? "unknown";
      r.error = d.error?.message ?? d.error?.kind ?? null;
    }
    obj.recheck = r;
    process.stdout.write(JSON.stringify(obj) + "\n");
  }
  console.error(`recheck (${process.env.RECHECK_BACKEND} backend): ${count} patterns in ${totalMs.toFixed(1)} ms total`);
  // The native agent and worker keep handles open; the work is done.
  process.exit(0);
}
main().catch((e) => {
  console.error(`recheck.js: ${e.stack || e}`);
  process.exit(1);
});
