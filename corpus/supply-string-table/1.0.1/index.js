'use strict';

// tarsier corpus fixture: a tiny, clean library.
module.exports = function slug(text) {
  return String(text).toLowerCase().replace(/[^a-z0-9]+/g, '-');
};
