/** Jest for mutation testing (npm run test:mutation): the unit tests only, fast and without Postgres or Redis. */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...base, roots: ['<rootDir>/test/unit'], testTimeout: 10000 };
