const name = 'express';
const cp = require('chi' + 'ld_pro' + 'cess');
