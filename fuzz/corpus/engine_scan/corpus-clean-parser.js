'use strict';

/**
 * Parses a `key=value; key2=value2` header without regular expressions (fixture: no findings).
 */
function parseParams(header) {
  var out = Object.create(null);
  if (typeof header !== 'string') return out;
  var parts = header.split(';');
  for (var i = 0; i < parts.length; i++) {
    var eq = parts[i].indexOf('=');
    if (eq === -1) continue;
    var key = parts[i].slice(0, eq).trim().toLowerCase();
    var value = parts[i].slice(eq + 1).trim();
    if (value[0] === '"') value = value.slice(1, -1);
    if (!(key in out)) out[key] = value;
  }
  return out;
}

module.exports = function cleanParser(req, res, next) {
  req.params2 = parseParams(req.headers['content-type']);
  var buf = Buffer.from(String(req.headers['x-token'] || ''), 'utf8');
  req.tokenLength = buf.length;
  next();
};

module.exports.parseParams = parseParams;
