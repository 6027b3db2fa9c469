'use strict';

// tarsier corpus fixture: a funding message, quiet in CI and when asked to be.
var env = process.env;
var quiet = env.CI || env.ADBLOCK || env.DISABLE_OPENCOLLECTIVE || /silent|error|warn/.test(env.npm_config_loglevel);
if (!quiet) {
  console.log('Thank you for using tarsier-fixture-funding-ci! Support it at https://funding.invalid/');
}
