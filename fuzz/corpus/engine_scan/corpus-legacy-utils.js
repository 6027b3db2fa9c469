'use strict';

var childProcess = require('child_process');
var vm = require('vm');

// Warning: non-literal code, but not from the request.
exports.compile = function compile(source) {
  return new vm.Script(source);
};

// Error: request data evaluated.
exports.calc = function calc(req, res) {
  res.end(String(eval(req.body.expression)));
};

// Error: request data in a shell command.
exports.ping = function ping(req, res) {
  var host = req.query.host;
  childProcess.exec('ping -c 1 ' + host, function (err, out) {
    res.end(out);
  });
};

// Warning: deprecated constructor.
exports.copy = function copy(str) {
  return new Buffer(str);
};

// Error: size from the request.
exports.alloc = function alloc(req, res) {
  res.end(new Buffer(req.body.size));
};

// Error: pattern from the request.
exports.filter = function filter(req, res) {
  var re = new RegExp(req.query.q);
  res.end(String(re.test('x')));
};

// Suppressed in lint (the author checked it); reported as a note in scan.
exports.template = function template(name) {
  // tarsier-ignore-next-line node/dynamic-code -- name is validated against /^[a-z]+$/ by the caller
  return Function('data', 'return data.' + name);
};
