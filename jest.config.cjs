/**
 * TypeScript runs through SWC (no type-check here; `npm run lint` type-checks).
 * The source is ESM with `.js` import suffixes; tests run it as CommonJS.
 * One embedded stack (PostgreSQL, S3, DynamoDB) serves the whole run; each test
 * file takes its own database, buckets and tables, so files run in parallel.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/functions', '<rootDir>/scripts', '<rootDir>/infrastructure'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
        module: { type: 'commonjs' },
      },
    ],
  },
  // jose ships ESM only; SWC compiles it to CommonJS like the sources (no --experimental-vm-modules needed).
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  globalSetup: '<rootDir>/scripts/testing/global-setup.ts',
  globalTeardown: '<rootDir>/scripts/testing/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
