/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // The client package's own tests run here too (npm test -w packages/client runs them alone).
  roots: ['<rootDir>/test', '<rootDir>/packages/client/test'],
  // The tests use the workspace packages from their source, not a stale dist/.
  moduleNameMapper: {
    '^@kalshi-ingestor/client$': '<rootDir>/packages/client/src/index.ts',
    '^@kalshi-ingestor/kalshi-sim$': '<rootDir>/packages/kalshi-sim/src/index.ts',
    '^@kalshi-ingestor/activity-watcher$': '<rootDir>/examples/activity-watcher/src/index.ts',
  },
  testMatch: ['**/*.test.ts'],
  // One retry, logged, for the tests that run real sockets and processes against deadlines (see the file).
  setupFilesAfterEnv: ['<rootDir>/test/helpers/retry-timing-tests.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Integration tests start real sockets and child processes; give them room, but tests wait on conditions, not on time.
  testTimeout: 30000,
  maxWorkers: 2,
};
