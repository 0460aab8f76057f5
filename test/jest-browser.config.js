// Browser checks: the real app on a real port, driven through Debian's Chromium with playwright-core.
module.exports = {
  ...require('./jest-e2e.config.js'),
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  testTimeout: 60000,
};
