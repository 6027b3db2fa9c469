'use strict';

const fs = require('fs');
const path = require('path');

const PUBLIC = path.join(__dirname, '..', 'public');
const PUBLIC_DIR = path.resolve(PUBLIC);

// Unsafe: `..` in the parameter walks out of PUBLIC.
exports.file = function file(req, res) {
  res.sendFile(path.join(PUBLIC, req.params.name));
};

// Safe: `root` makes send refuse paths that leave it.
exports.rooted = function rooted(req, res) {
  res.sendFile(req.params.name, { root: PUBLIC });
};

// Unsafe: raw Node handler reading a file named by the URL.
exports.raw = function raw(incoming, res) {
  const name = decodeURIComponent(incoming.url.slice(1));
  fs.readFile(path.join(PUBLIC, name), function (err, data) {
    if (err) {
      res.statusCode = 404;
      return res.end();
    }
    res.end(data);
  });
};

// Safe: only the base name is used.
exports.base = function base(req, res) {
  res.sendFile(path.join(PUBLIC, path.basename(req.params.name)));
};

// Unsafe: the prefix check has no trailing separator, so `/../public-old/x` passes it.
exports.checked = function checked(req, res) {
  const file = path.resolve(PUBLIC, '.' + req.path);
  if (file.indexOf(PUBLIC_DIR) !== 0) {
    res.statusCode = 403;
    return res.end();
  }
  fs.createReadStream(file).pipe(res);
};

// Safe: the directory ends with a separator.
exports.contained = function contained(req, res) {
  const file = path.resolve(PUBLIC, '.' + req.path);
  if (!file.startsWith(PUBLIC_DIR + path.sep)) {
    res.statusCode = 403;
    return res.end();
  }
  fs.createReadStream(file).pipe(res);
};
