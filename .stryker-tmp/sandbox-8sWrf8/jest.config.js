/** @type {import('jest').Config} */
// @ts-nocheck

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Integration tests start real sockets and child processes; give them room, but tests wait on conditions, not on time.
  testTimeout: 30000,
  maxWorkers: 2,
};
