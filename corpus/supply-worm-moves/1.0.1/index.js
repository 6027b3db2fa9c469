'use strict';

// tarsier corpus fixture: a tiny, clean colour helper.
module.exports = function enabled(name) {
  return typeof name === 'string' && name.length > 0;
};
