// Judges each disagreement in a joined file (JSON lines from report's input) by timing the
// attack strings in node's own regex engine (V8's backtracking Irregexp): tarsier's witness
// (when it has one) and recheck's attack, each with every pump repeated n times for doubling
// n. Every measurement runs in a child process killed after a hard time limit, so an
// exponential attack cannot hang the run. The growth exponent is
// the least-squares slope of log(time) on log(n) over the runs that take at least 50 µs: about
// 1 for linear, 2 for quadratic, more for higher degrees (a killed run means at least that).
//
// Prints Markdown, and writes JSON lines for batch (`attack` = recheck's attack) to the file
// named by the second argument so that tarsier's step-counting matcher can be run on it too.
//
// Usage: node judge.js <both.jsonl> <attacks-out.jsonl>
"use strict";
const fs = require("fs");
const { spawnSync } = require("child_process");

const [file, attacksOut] = process.argv.slice(2);
const rows = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
const tv = (r) => (r.verdict === "polynomial" ? `polynomial:${r.degree}` : r.verdict);
const rv = (r) =>
  r.recheck.status === "vulnerable"
    ? r.recheck.complexity === "polynomial"
      ? `polynomial:${r.recheck.degree}`
      : r.recheck.complexity
    : r.recheck.status === "safe"
      ? "safe"
      : `unknown (${r.recheck.complexity})`;

const LIMIT_MS = 3000; // per child process
const STOP_MS = 300; // stop doubling once one run takes this long
const MAX_LEN = 2_000_000;

// One timed run in a fresh process: warm-up on a short input, then the median of 3 runs.
const child = `
const [p, f, pumpsJson, suffix, n] = JSON.parse(process.argv[1]);
const pumps = JSON.parse(pumpsJson);
const build = (k) => pumps.map(([pre, pump]) => pre + pump.repeat(k)).join("") + suffix;
const re = new RegExp(p, f);
re.lastIndex = 0; re.exec(build(2));
const s = build(n);
const ts = [];
for (let i = 0; i < 3; i++) { re.lastIndex = 0; const t = process.hrtime.bigint(); re.exec(s); ts.push(Number(process.hrtime.bigint() - t) / 1e6); if (ts[i] > 200) break; }
ts.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ ms: ts[Math.floor((ts.length - 1) / 2)], len: s.length }));
`;

function measure(pattern, flags, pumps, suffix) {
  const points = [];
  for (let n = 8; ; n *= 2) {
    const len = pumps.reduce((a, [pre, pump]) => a + pre.length + pump.length * n, suffix.length);
    if (len > MAX_LEN) break;
    const r = spawnSync(process.execPath, ["-e", child, JSON.stringify([pattern, flags, JSON.stringify(pumps), suffix, n])], {
      timeout: LIMIT_MS,
      encoding: "utf8",
    });
    if (r.status !== 0 || !r.stdout) {
      points.push({ n, ms: null });
      break;
    }
    const { ms } = JSON.parse(r.stdout);
    points.push({ n, ms });
    if (ms > STOP_MS) break;
  }
  // Least-squares slope of log(time) on log(n), over the runs long enough to time (50 µs).
  const done = points.filter((p) => p.ms !== null && p.ms >= 0.05);
  let exponent = null;
  if (done.length >= 2) {
    const xs = done.map((p) => Math.log2(p.n));
    const ys = done.map((p) => Math.log2(p.ms));
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    const sxy = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0);
    const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    exponent = sxy / sxx;
  }
  const killed = points.some((p) => p.ms === null);
  const fmt = points.filter((p) => p.ms === null || p.ms >= 0.05).map((p) => `${p.n}: ${p.ms === null ? `>${LIMIT_MS} ms (killed)` : `${p.ms.toFixed(2)} ms`}`).join(", ");
  return { points, exponent, killed, text: `${fmt}${exponent === null ? "" : `; growth exponent ${exponent.toFixed(2)}`}` };
}

const out = [];
const attacks = [];
const dis = rows.filter((r) => tv(r) !== rv(r));
dis.forEach((r, i) => {
  out.push(`${i + 1}. \`/${r.pattern}/${r.flags}\`: tarsier ${tv(r)}, recheck ${rv(r)}.`);
  if (r.witness) {
    const m = measure(r.pattern, r.flags, [[r.witness.prefix, r.witness.pump]], r.witness.suffix);
    out.push(`   - node, tarsier's witness ${JSON.stringify(r.witness)}, pump count n: ${m.text}`);
  }
  if (r.recheck.attack) {
    const pumps = r.recheck.attack.pumps.map((p) => [p.prefix, p.pump]);
    const m = measure(r.pattern, r.flags, pumps, r.recheck.attack.suffix);
    out.push(`   - node, recheck's attack \`${r.recheck.attack.pattern.replace(/\d{3,}/g, "n")}\`, n: ${m.text}`);
    attacks.push({ pattern: r.pattern, flags: r.flags, index: i + 1, attack: { pumps: r.recheck.attack.pumps, suffix: r.recheck.attack.suffix } });
  }
});
if (attacksOut) fs.writeFileSync(attacksOut, attacks.map((a) => JSON.stringify(a) + "\n").join(""));
if (!dis.length) out.push("None: the two tools agree on every pattern.");
process.stdout.write(out.join("\n") + "\n");
