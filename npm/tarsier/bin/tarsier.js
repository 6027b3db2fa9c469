#!/usr/bin/env node
// The `tarsier` command of the npm package: finds the native binary in the platform package npm
// installed from optionalDependencies (`@tarsier/cli-<platform>-<arch>`) and runs it with the
// same arguments, standard streams and exit code. No install script is involved: npm installs
// only the platform package whose `os`/`cpu` match. TARSIER_BINARY overrides the binary's path.
"use strict";

const { spawnSync } = require("node:child_process");
const path = require("node:path");

const PLATFORMS = {
  "linux-x64": "@tarsier/cli-linux-x64",
  "linux-arm64": "@tarsier/cli-linux-arm64",
  "darwin-x64": "@tarsier/cli-darwin-x64",
  "darwin-arm64": "@tarsier/cli-darwin-arm64",
  "win32-x64": "@tarsier/cli-win32-x64",
};

function binaryPath() {
  if (process.env.TARSIER_BINARY) {
    return process.env.TARSIER_BINARY;
  }
  const key = `${process.platform}-${process.arch}`;
  const pkg = PLATFORMS[key];
  if (!pkg) {
    fail(`no tarsier binary is published for ${key}; build it from source (cargo install --locked --path crates/tarsier-cli)`);
  }
  let manifest;
  try {
    manifest = require.resolve(`${pkg}/package.json`);
  } catch {
    fail(
      `the platform package ${pkg} is not installed. It is an optional dependency of tarsier: ` +
        "reinstall without --no-optional / --omit=optional, and keep it in your lock file",
    );
  }
  const exe = process.platform === "win32" ? "tarsier.exe" : "tarsier";
  return path.join(path.dirname(manifest), exe);
}

function fail(message) {
  process.stderr.write(`tarsier (npm launcher): ${message}\n`);
  process.exit(2);
}

const result = spawnSync(binaryPath(), process.argv.slice(2), {
  stdio: "inherit",
  windowsHide: true,
});
if (result.error) {
  fail(`cannot run ${result.error.path || "the binary"}: ${result.error.message}`);
}
if (result.signal) {
  // Die of the same signal, so the caller sees what the binary saw.
  process.kill(process.pid, result.signal);
}
process.exit(result.status ?? 2);
