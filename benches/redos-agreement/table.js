// Converts tarsier-redos's verdict table (tests/data/cases.rs) to JSON lines
// {pattern, flags, expected, row}: `expected` is safe, exponential, polynomial:<k> or unknown.
//
// Usage: node table.js <path/to/cases.rs> > table.jsonl
"use strict";
const fs = require("fs");

const file = process.argv[2];
if (!file) {
  console.error("usage: node table.js <cases.rs>");
  process.exit(2);
}

// Unescapes the body of a Rust string literal (the table only uses plain "..." literals).
function unrust(s) {
  return s.replace(/\\(u\{([0-9a-fA-F]+)\}|x([0-9a-fA-F]{2})|.)/g, (m, e, u, x) => {
    if (u !== undefined) return String.fromCodePoint(parseInt(u, 16));
    if (x !== undefined) return String.fromCharCode(parseInt(x, 16));
    return { n: "\n", t: "\t", r: "\r", 0: "\0", "\\": "\\", '"': '"', "'": "'" }[e] ?? m;
  });
}

const str = String.raw`"((?:[^"\\]|\\.)*)"`;
const row = new RegExp(String.raw`^\s*\(${str},\s*${str},\s*(S|E|U|P\((\d+)\))\),`);
const names = { S: "safe", E: "exponential", U: "unknown" };
let n = 0;
fs.readFileSync(file, "utf8")
  .split("\n")
  .forEach((line, i) => {
    const m = row.exec(line);
    if (!m) {
      if (/^\s*\("/.test(line)) {
        console.error(`table: ${file}:${i + 1} looks like a row but does not parse`);
        process.exitCode = 1;
      }
      return;
    }
    n++;
    const expected = m[4] ? `polynomial:${m[4]}` : names[m[3]];
    process.stdout.write(JSON.stringify({ pattern: unrust(m[1]), flags: unrust(m[2]), expected, row: i + 1 }) + "\n");
  });
console.error(`table: ${n} rows from ${file}`);
