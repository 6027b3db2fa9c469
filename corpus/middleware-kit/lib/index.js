'use strict';

const path = require('path');
const fs = require('fs');
const escapeHtml = require('./escape');

const ROOT = path.resolve(__dirname, '..', 'public');

// Unsafe: the requested path is echoed into an HTML error page.
exports.notFound = function notFound(req, res) {
  const body = '<!DOCTYPE html><title>404</title><p>Cannot find ' + req.originalUrl + '</p>';
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(body);
};

// Safe: the same page with the path escaped.
exports.notFoundEscaped = function notFoundEscaped(req, res) {
  const body = '<p>Cannot find ' + escapeHtml(req.originalUrl) + '</p>';
  res.statusCode = 404;
  res.end(body);
};

// Unsafe: the download name goes into a header unchecked.
exports.download = function download(req, res) {
  res.setHeader('Content-Disposition', 'attachment; filename="' + req.query.name + '"');
  res.end();
};

// Unsafe: any origin may send credentialed requests.
exports.cors = function cors(req, res, next) {
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin || '*');
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  next();
};

// Safe: the path is resolved and checked against the root before it is opened.
exports.serve = function serve(req, res) {
  const file = path.resolve(ROOT, '.' + req.path);
  if (!file.startsWith(ROOT + path.sep)) {
    res.statusCode = 403;
    return res.end();
  }
  fs.createReadStream(file).pipe(res);
};

// Unsafe: a malformed cookie throws inside an event handler, which nothing catches.
exports.session = function session(req, res, next) {
  req.on('end', function () {
    req.state = JSON.parse(req.cookies.state || '{}');
  });
  next();
};

// Unsafe: a recursive merge with no `__proto__` guard.
function merge(target, source) {
  for (const key in source) {
    if (source[key] && typeof source[key] === 'object') {
      target[key] = merge(target[key] || {}, source[key]);
    } else {
      target[key] = source[key];
    }
  }
  return target;
}
exports.merge = merge;

// Unsafe: a guessable token and a timing-unsafe comparison of it.
exports.csrf = function csrf(req, res, next) {
  if (!req.session.csrfToken) {
    req.session.csrfToken = Math.random().toString(36).slice(2);
  }
  if (req.method === 'POST' && req.body._csrf !== req.session.csrfToken) {
    res.statusCode = 403;
    return res.end();
  }
  next();
};

// Unsafe configuration helpers.
exports.bodyOptions = { limit: Infinity };
exports.sessionMiddleware = (expressSession) =>
  expressSession({ secret: 'keyboard cat', cookie: { httpOnly: false } });

// Unsafe: nested repetition on a request header (exponential backtracking).
exports.words = function words(req, res, next) {
  req.wordy = /^(\w+\s?)*$/.test(req.headers['x-words'] || '');
  next();
};

// Quadratic on its own input (a warning: the input is not request data here).
exports.trimEnd = (s) => s.replace(/\s+$/, '');
