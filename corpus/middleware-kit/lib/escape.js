'use strict';

const MAP = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

module.exports = function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => MAP[c]);
};
