// Extracts every regular expression from the .js/.cjs/.mjs files under a directory of unpacked
// npm tarballs (one sub-directory per package), with a real JavaScript parser (acorn).
//
// Found: regex literals (all flags), and `RegExp(p)` / `new RegExp(p, f)` (also
// `globalThis.RegExp`, `window.RegExp`) whose pattern is a string literal, a template literal
// without substitutions, or a `+` concatenation of those; the flags argument must be absent or
// constant too. Output: JSON lines {pattern, flags, kind, package, file, line, occurrences},
// deduplicated by (pattern, flags) (the first occurrence in sorted order is kept and the total
// is counted). Files that do not parse are listed on stderr and counted; nothing stops the run.
//
// Usage: node extract.js <unpacked-dir> > scope.jsonl
"use strict";
const fs = require("fs");
const path = require("path");
const acorn = require("acorn");
const walk = require("acorn-walk");

const root = process.argv[2];
if (!root) {
  console.error("usage: node extract.js <unpacked-dir>");
  process.exit(2);
}

function* files(dir) {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile() && /\.(c|m)?js$/.test(e.name)) yield p;
  }
}

// The constant value of a string expression, or undefined.
function fold(node) {
  if (!node) return undefined;
  if (node.type === "Literal" && typeof node.value === "string") return node.value;
  if (node.type === "TemplateLiteral" && node.expressions.length === 0) return node.quasis[0].value.cooked ?? undefined;
  if (node.type === "BinaryExpression" && node.operator === "+") {
    const l = fold(node.left);
    const r = fold(node.right);
    return l !== undefined && r !== undefined ? l + r : undefined;
  }
  if (node.type === "ParenthesizedExpression") return fold(node.expression);
  return undefined;
}

function isRegExpCallee(c) {
  if (c.type === "Identifier") return c.name === "RegExp";
  return (
    c.type === "MemberExpression" &&
    !c.computed &&
    c.property.name === "RegExp" &&
    c.object.type === "Identifier" &&
    ["globalThis", "window", "global", "self"].includes(c.object.name)
  );
}

function parse(src) {
  const opts = { ecmaVersion: "latest", locations: true, allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true };
  try {
    return acorn.parse(src, { ...opts, sourceType: "script" });
  } catch (e) {
    return acorn.parse(src, { ...opts, sourceType: "module" });
  }
}

const seen = new Map();
let fileCount = 0;
let failed = 0;
let total = 0;
let dynamic = 0;
for (const pkg of fs.readdirSync(root).sort()) {
  const pkgDir = path.join(root, pkg);
  if (!fs.statSync(pkgDir).isDirectory()) continue;
  for (const file of files(pkgDir)) {
    fileCount++;
    let ast;
    try {
      ast = parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      failed++;
      console.error(`extract: ${path.relative(root, file)} does not parse: ${e.message}`);
      continue;
    }
    const rel = path.relative(pkgDir, file);
    const add = (pattern, flags, kind, node) => {
      total++;
      const key = JSON.stringify([pattern, flags]);
      const prev = seen.get(key);
      if (prev) prev.occurrences++;
      else seen.set(key, { pattern, flags, kind, package: pkg, file: rel, line: node.loc.start.line, occurrences: 1 });
    };
    const ctor = (node) => {
      if (!isRegExpCallee(node.callee)) return;
      const [p, f] = node.arguments;
      const pattern = fold(p);
      const flags = f === undefined ? "" : fold(f);
      if (pattern === undefined || flags === undefined) {
        if (p !== undefined) dynamic++;
        return;
      }
      add(pattern, flags, node.type === "NewExpression" ? "new RegExp" : "RegExp", node);
    };
    walk.full(ast, (node) => {
      if (node.type === "Literal" && node.regex) add(node.regex.pattern, node.regex.flags, "literal", node);
      else if (node.type === "NewExpression" || node.type === "CallExpression") ctor(node);
    });
  }
}
for (const v of seen.values()) process.stdout.write(JSON.stringify(v) + "\n");
console.error(
  `extract: ${fileCount} files (${failed} did not parse), ${total} regexes, ${seen.size} distinct (pattern, flags); ${dynamic} RegExp calls with a non-constant pattern or flags skipped`
);
