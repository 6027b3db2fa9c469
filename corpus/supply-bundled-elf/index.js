'use strict';

// tarsier corpus fixture: the package's ordinary entry point; nothing loads bin/helper.
module.exports = function double(n) {
  return n * 2;
};
