// Joins tarsier's and recheck's verdicts (JSON lines from batch over recheck.js's output) and
// prints, as Markdown: the agreement matrix (rows tarsier, columns recheck, counts), the
// disagreements, and tarsier's timing. With `table`, a third column set compares tarsier with
// the table's expected verdict.
//
// Usage: node report.js <title> < both.jsonl
"use strict";
const fs = require("fs");

const title = process.argv[2] || "patterns";
const rows = fs
  .readFileSync(0, "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));

function tarsier(r) {
  if (r.verdict === "polynomial") return `polynomial:${r.degree}`;
  return r.verdict;
}
function recheck(r) {
  const c = r.recheck;
  if (c.status === "vulnerable") return c.complexity === "polynomial" ? `polynomial:${c.degree}` : c.complexity;
  if (c.status === "safe") return "safe";
  return `unknown (${c.complexity})`;
}
const order = (a, b) => {
  const rank = (s) => ["safe", "polynomial", "exponential", "unknown", "parse-error"].findIndex((p) => s.startsWith(p));
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
};

const cols = [...new Set(rows.map(recheck))].sort(order);
const lines = [...new Set(rows.map(tarsier))].sort(order);
const cell = new Map();
for (const r of rows) {
  const k = `${tarsier(r)}\u0000${recheck(r)}`;
  cell.set(k, (cell.get(k) || 0) + 1);
}
const agree = rows.filter((r) => tarsier(r) === recheck(r)).length;
const agreeClass = rows.filter((r) => tarsier(r).split(":")[0] === recheck(r).split(":")[0]).length;
const out = [];
out.push(`### ${title}: ${rows.length} patterns`);
out.push("");
out.push(`| tarsier \\ recheck | ${cols.join(" | ")} | total |`);
out.push(`|---|${cols.map(() => "---:").join("|")}|---:|`);
for (const l of lines) {
  const counts = cols.map((c) => cell.get(`${l}\u0000${c}`) || 0);
  out.push(`| **${l}** | ${counts.map((n) => (n ? String(n) : "·")).join(" | ")} | ${counts.reduce((a, b) => a + b, 0)} |`);
}
out.push(`| total | ${cols.map((c) => rows.filter((r) => recheck(r) === c).length).join(" | ")} | ${rows.length} |`);
out.push("");
out.push(
  `Same verdict and degree: ${agree} of ${rows.length}; same class (safe / polynomial / exponential / unknown): ${agreeClass} of ${rows.length}.`
);
if (rows.some((r) => r.expected !== undefined)) {
  const ok = rows.filter((r) => r.expected === tarsier(r)).length;
  const rok = rows.filter((r) => r.expected === recheck(r)).length;
  out.push(`Against the table's expected verdicts: tarsier ${ok} of ${rows.length}, recheck ${rok} of ${rows.length}.`);
}
const us = rows.map((r) => r.micros).sort((a, b) => a - b);
const sum = us.reduce((a, b) => a + b, 0);
const ms = rows.map((r) => r.recheck.ms).reduce((a, b) => a + b, 0);
out.push(
  `tarsier time: ${(sum / 1000).toFixed(1)} ms total, ${(sum / rows.length).toFixed(0)} µs mean, ${us[Math.floor(us.length / 2)]} µs median, ${(us[us.length - 1] / 1000).toFixed(1)} ms max; recheck (for scale): ${ms.toFixed(0)} ms total.`
);
out.push("");
const dis = rows.filter((r) => tarsier(r) !== recheck(r));
if (dis.length) {
  out.push(`Disagreements (${dis.length}):`);
  out.push("");
  out.push("| # | pattern | flags | tarsier | recheck | where |");
  out.push("|---|---|---|---|---|---|");
  dis.forEach((r, i) => {
    const where = r.package ? `${r.package}/${r.file}:${r.line}` : `cases.rs:${r.row} (expected ${r.expected})`;
    const pat = "`` " + r.pattern.replace(/\|/g, "\\|") + " ``";
    out.push(`| ${i + 1} | ${pat} | ${r.flags} | ${tarsier(r)} | ${recheck(r)} | ${where} |`);
  });
  out.push("");
}
process.stdout.write(out.join("\n") + "\n");
