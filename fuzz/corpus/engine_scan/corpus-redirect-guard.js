'use strict';

/**
 * Redirect-after-login middleware (fixture: two open redirects, one safe redirect).
 */
const SAFE_TARGETS = new Set(['/home', '/account', '/settings']);

module.exports = function redirectGuard(options) {
  const fallback = (options && options.fallback) || '/home';

  return function guard(req, res, next) {
    if (!req.session || !req.session.user) {
      return next();
    }
    // Unsafe: the target comes straight from the query string.
    const { returnTo } = req.query;
    const target = returnTo || fallback;
    res.redirect(302, target);
  };
};

module.exports.safe = function safeGuard(req, res) {
  const wanted = req.query.next;
  res.redirect(SAFE_TARGETS.has(wanted) ? wanted : '/home');
};

module.exports.back = function back(request, response) {
  response.location(request.get('Referrer') || '/');
  response.statusCode = 302;
  response.end();
};
