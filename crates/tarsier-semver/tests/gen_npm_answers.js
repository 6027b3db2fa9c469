// Generates tests/npm_answers.json: node-semver's own answers for the ranges and versions below,
// which tests/npm_answers.rs checks tarsier-semver against (no node needed at test time).
// Each range is also recorded in node-semver's loose mode (`validRangeLoose`, `satLoose`).
//
// To regenerate (outside the repository, so no node_modules lands in it):
//
//   D=$(mktemp -d) && (cd "$D" && npm install semver@7.8.6)
//   NODE_PATH="$D/node_modules" node crates/tarsier-semver/tests/gen_npm_answers.js
//
// (7.8.6 reproduces the committed file byte for byte; a newer semver checks the port against
// newer behaviour.) The file records the node-semver version it came from. Add a case by adding
// a string to RANGES or VERSIONS and regenerating.
'use strict'

const fs = require('fs')
const path = require('path')
const semver = require('semver')

const RANGES = [
  // Exact versions and loose prefixes.
  '1.2.3', '=1.2.3', 'v1.2.3', '=v1.2.3', ' = 1.2.3', 'v 1.2.3', '1.2.3+build.5', '01.2.3',
  '1.2.3-beta.1', '==1.2.3', '1.2.3beta',
  // Primitive comparators, whitespace variations.
  '>1.2.3', '>=1.2.3', '<1.2.3', '<=1.2.3', '> 1.2.3', '>= 1.2.3  <  2.0.0', '>=1.19.0 <2',
  '>=1.2.3\t<2', '\n^1.2.3\n', '<2.0.0 >=1.2.3', '>1.2.3 >1.2.3', '>=1.2.3 >=1.2.3 <2',
  '>=0.0.0', '>=0.0.0-0', '<0.0.0-0', '<0.0.0', '>=1.0.0 <1.0.0', '1.0.0 - 1.0.0',
  // Hyphen ranges.
  '1.2.3 - 2.3.4', '1.2 - 2.3.4', '1.2.3 - 2.3', '1.2.3 - 2', '1 - 2', '1.2.3-beta - 2.3.4-rc.1',
  '* - 2', '1.x - 2.x', 'v1.2.3 - v2.3.4', '1.2.3 -2.3.4', '1.2.3- 2.3.4', '1.2.3  -  2.3.4',
  '1.2.3 - 2.3.4 - 3', '1.2.3 - 2.3.4 || 5',
  // X-ranges and stars.
  '*', '', 'x', 'X', '1.x', '1.X', '1.*', '1.2.x', '1.2.*', '1', '1.2', '1.x.x', '*.*.*', 'x.x',
  '>1', '>1.2', '>=1.x', '<1.x', '<=1.x', '<=1.2', '>*', '<*', '>=*', '<=*', '=1.x', 'x.1',
  '1.x.2', '**', '1.*.3',
  // Tilde.
  '~1.2.3', '~1.2', '~1', '~0.2.3', '~0.0.1', '~>1.2.3', '~ 1.2.3', '~1.2.3-beta.2', '~*', '~1.x',
  '~0.0.x', '~>  1.2',
  // Caret.
  '^1.2.3', '^1.2', '^1', '^0.2.3', '^0.2', '^0.0.3', '^0.0', '^0', '^0.x', '^0.0.x', '^1.x',
  '^1.2.3-beta.2', '^0.0.3-beta', '^0.1.2-rc.1', '^*', '^ 1.2.3', '^x.1', '^1.2.3 ^1.4',
  // Alternatives.
  '1.2.3 || 2.x', '^1.2 || ^2.3', '<1.0.0 || >=2.0.0', '1.2.3||2.3.4', '||', '1.2.3 ||', '|| 1.2.3',
  '1.2.3 || *', '<0.0.0-0 || 1.2.3', '<0.0.0-0 || <0.0.0-0', '~1.2.1 >=1.2.3 || 3.x',
  '>=1.2.7 <1.3.0 || 1.2.3-alpha.7',
  // Prerelease cases.
  '>=1.2.3-alpha.3', '>1.2.3-alpha.3 <1.2.4', '1.2.3-alpha.3 - 1.2.4', '>=1.2.3-0',
  '<2.0.0-0', '<=2.0.0-rc.1', '>=0.0.0-0 <1', '1.2.3-alpha.10',
  // Large numbers.
  '9007199254740991.0.0', '^9007199254740990', '^9007199254740991', '~1.9007199254740991',
  '9007199254740992.0.0', '>=99999999999999999999999', '^x.99999999999999999999999',
  // Mixed forms seen in the wild, build metadata, prefixes after operators.
  '^v1.2.3', '~v1.2', '^=1.2.3', '>=v1.2.3', '>= v1.2.3', '< = 1.2.3', '> =1.2.3', '>=1.2.3+build <2',
  '1.2.3 - 2.3.4+build', '>= 0.8', '0.x || >=1.0.0-0', '~1.0.0-rc.1', '1.2.3 ||2.3.4',
  '1.2.3\t||\t2.3.4', '>=1.2.3 <2 || >=3.0.0-beta <3.0.1', '=*', '>=x.x.x', '^0.0.0', '~0.0.0',
  '^0.0.0-0', '*-beta', '1.2.3-beta+sha', '2.x.x || 3.x.x >=3.2',
  // Loose-mode forms (invalid in strict mode).
  '^01.02.03', '~1.2.3beta', '1.2.3 foo', '>=01.2', '00.1.x', '^00.1.2', '^0.00.1', '1.2.3-beta.01 - 2',
  'v01.2.3 - v02.0.0rc1', '>=1.2.3alpha.7 <1.2.4', '01.x || 2.x',
  // Invalid.
  'a', '1.2.3.4', '>=>=1.2.3', '>>1', '^~1.2', '~^1.2', 'latest', '1.2.3 - ', '- 1.2.3', '!1.2.3',
  '>=1.2.3 <', '1 2 3 x', '1.2.3 - 2.3.4 - 5', '^1.2.3-', '1.2.3+', 'v', '=', '<', '>=', '1.2.3-01',
  '1..2', '.1.2.3', '1.2.', 'x.y.z', '\u00e9', '1.2.3\u00a0-\u00a02', '\u00851.2.3',
]

const VERSIONS = [
  '0.0.0', '0.0.0-0', '0.0.1', '0.0.2', '0.0.3', '0.0.3-beta', '0.0.4', '0.1.0', '0.1.2-rc.1',
  '0.1.2', '0.2.0', '0.2.3', '0.2.9', '0.3.0', '1.0.0-0', '1.0.0', '1.2.0', '1.2.2', '1.2.3-0',
  '1.2.3-alpha.3', '1.2.3-alpha.7', '1.2.3-alpha.10', '1.2.3-beta.2', '1.2.3-beta.4', '1.2.3',
  '1.2.3+build.9', '1.2.4-alpha.1', '1.2.4', '1.2.7', '1.3.0-0', '1.3.0', '1.4.0', '1.19.0',
  '1.99.99', '2.0.0-rc.1', '2.0.0', '2.3.4-rc.1', '2.3.4', '2.3.5', '2.4.0', '3.0.0', '3.2.1',
  '5.0.0', '9007199254740991.0.0',
]

for (const v of VERSIONS) {
  if (semver.valid(v) !== v.replace(/\+.*/, '')) {
    throw new Error(`version ${v} is not a plain valid version`)
  }
}

// Two digits per version, in VERSIONS order: satisfies without and with includePrerelease.
// null when the range is invalid.
const sat = (range, loose) => semver.validRange(range, loose) === null ? null : VERSIONS.map(v =>
  (semver.satisfies(v, range, { loose }) ? '1' : '0') +
  (semver.satisfies(v, range, { loose, includePrerelease: true }) ? '1' : '0')).join('')

const cases = RANGES.map(range => {
  const satisfies = {}
  const satisfiesIncludingPrereleases = {}
  for (const v of VERSIONS) {
    satisfies[v] = semver.satisfies(v, range)
    satisfiesIncludingPrereleases[v] = semver.satisfies(v, range, { includePrerelease: true })
  }
  return {
    range,
    validRange: semver.validRange(range),
    validRangeLoose: semver.validRange(range, true),
    satLoose: sat(range, true),
    satisfies,
    satisfiesIncludingPrereleases,
    maxSatisfying: semver.maxSatisfying(VERSIONS, range),
    maxSatisfyingIncludingPrereleases:
      semver.maxSatisfying(VERSIONS, range, { includePrerelease: true }),
  }
})

// Random strings over range tokens, with a fixed seed: they reach orders of passes no one would
// write by hand. Recorded compactly (see `sat`), in strict and in loose mode.
const TOKENS = [
  '1', '0', '2', '3', '.', '.', '.', 'x', 'X', '*', '-', '- ', ' - ', '^', '~', '~>', '>', '<', '=',
  '>=', '<=', ' ', ' ', '||', 'v', '+', 'b', 'beta', 'rc', '-0', '9007199254740991', '01', '\t',
  'a', '1.2.3', '0.0.1', '1.x', '|', '  ',
]
// mulberry32: a small deterministic PRNG (32-bit integer arithmetic, so no float drift).
let seed = 20240601
const rnd = n => {
  seed = (seed + 0x6D2B79F5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return (((t ^ (t >>> 14)) >>> 0) / 4294967296 * n) | 0
}
const random = []
const seen = new Set(RANGES)
let valid = 0
let invalid = 0
for (let tries = 0; tries < 5000000 && (valid < 450 || invalid < 150); tries++) {
  let range = ''
  const n = 1 + rnd(12)
  for (let j = 0; j < n; j++) {
    range += TOKENS[rnd(TOKENS.length)]
  }
  if (seen.has(range)) {
    continue
  }
  const validRange = semver.validRange(range)
  if (validRange === null ? invalid >= 150 : valid >= 450) {
    continue
  }
  seen.add(range)
  validRange === null ? invalid++ : valid++
  random.push({
    range,
    validRange,
    sat: sat(range, false),
    validRangeLoose: semver.validRange(range, true),
    satLoose: sat(range, true),
  })
}

const out = {
  generator: 'crates/tarsier-semver/tests/gen_npm_answers.js',
  nodeSemverVersion: require('semver/package.json').version,
  versions: VERSIONS,
  cases,
  random,
}
fs.writeFileSync(path.join(__dirname, 'npm_answers.json'), JSON.stringify(out, null, 1) + '\n')
console.log(`wrote ${cases.length} + ${random.length} random ranges x ${VERSIONS.length} versions`)
