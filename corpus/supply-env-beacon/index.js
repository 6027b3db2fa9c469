'use strict';

// tarsier corpus fixture: the package's ordinary entry point.
module.exports = function pad(value, width) {
  return String(value).padStart(width);
};
