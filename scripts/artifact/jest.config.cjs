/**
 * `npm run test:artifacts`: the built zips in dist/, each run from an empty directory as Lambda
 * runs it, against the embedded stack that the usual jest global setup starts. Separate from
 * `npm test`, which runs the sources and must not need a build first.
 */
const base = require('../../jest.config.cjs');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/scripts/artifact'],
  testMatch: ['**/*.artifact.ts'],
  testTimeout: 120_000,
};
