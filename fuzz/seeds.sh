#!/usr/bin/env bash
# Generates the binary seeds of the tarball_unpack target into corpus/tarball_unpack/ (git-ignored:
# binaries are not committed). Run it once before fuzzing that target; run.sh and smoke.sh do.
#
# Two kinds of seed, matching the two modes of fuzz_targets/tarball_unpack.rs:
# - plain tar archives (ustar, GNU and pax formats; long names, links, directories, a sparse
#   file, unsafe paths), which the target gzips before unpacking;
# - gzip'd tarballs (`.tgz`, starting with 1f 8b), which it unpacks as they are.
# Needs GNU tar and gzip. Deterministic: fixed mtimes, owners and order.
set -euo pipefail
cd "$(dirname "$0")"
out="$PWD/corpus/tarball_unpack"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
mkdir -p package/lib package/deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z
printf '{ "name": "seed", "version": "1.0.0", "main": "lib/index.js" }\n' >package/package.json
printf "module.exports = (req, res) => res.redirect(req.query.to);\n" >package/lib/index.js
printf 'x' >package/deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/file-with-a-rather-long-name-to-need-an-extension.js
ln -s ../package.json package/lib/link.json
ln package/lib/index.js package/lib/hard.js
truncate -s 8192 package/lib/sparse.bin
printf 'tail' >>package/lib/sparse.bin

common=(--sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -b 1)
tar "${common[@]}" --format=ustar -cf "$out/ustar.tar" package/package.json package/lib/index.js
tar "${common[@]}" --format=gnu -cf "$out/gnu-links.tar" package/lib/index.js package/lib/hard.js \
  package/lib/link.json package/package.json
tar "${common[@]}" --format=gnu --sparse -cf "$out/gnu-sparse.tar" package/lib/sparse.bin
tar "${common[@]}" --format=pax -cf "$out/pax-longname.tar" package/package.json \
  package/deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/file-with-a-rather-long-name-to-need-an-extension.js
# Unsafe paths: GNU tar refuses to write them by name, so rename members on the way in.
tar "${common[@]}" --format=gnu --transform='s|^package/lib/index.js|../../escape.js|' \
  --transform='s|^package/package.json|/abs/package.json|' -P \
  -cf "$out/unsafe-paths.tar" package/lib/index.js package/package.json
# Gzip'd tarballs, unpacked as they are.
gzip -9 -n -c "$out/ustar.tar" >"$out/ustar.tgz"
gzip -9 -n -c "$out/gnu-links.tar" >"$out/gnu-links.tgz"
# Two gzip members back to back (npm tarballs are one, but readers must take both).
cat "$out/ustar.tgz" "$out/ustar.tgz" >"$out/multi-member.tgz"
# Zero padding after the stream (old registry tarballs; npm and `gzip -t` accept it), after one
# member and after two.
{ cat "$out/ustar.tgz"; head -c 1536 /dev/zero; } >"$out/zero-padded.tgz"
{ cat "$out/multi-member.tgz"; head -c 512 /dev/zero; } >"$out/multi-member-padded.tgz"
# Truncated gzip.
head -c 60 "$out/ustar.tgz" >"$out/truncated.tgz"
ls -l "$out"
