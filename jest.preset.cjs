// Shared Jest set-up. Three tiers, named by file suffix:
//   unit  *.spec.ts      fast, no I/O                 (nx run-many -t test)
//   int   *.int-spec.ts  real Postgres, Redis, Kafka  (nx run-many -t test:int)
//   e2e   *.e2e-spec.ts  built services as processes  (nx run-many -t test:e2e)
// @swc/jest transpiles with the options scripts/run-ts.cjs uses too (tools/swc-options.cjs).
const path = require('node:path');
const { swcOptions } = require('./tools/swc-options.cjs');

const globalSetup = path.join(__dirname, 'libs/testing/src/jest-global-setup.ts');

const tiers = {
  unit: { testMatch: ['<rootDir>/**/*.spec.ts'], testTimeout: 10_000 },
  int: { testMatch: ['<rootDir>/**/*.int-spec.ts'], testTimeout: 120_000, globalSetup },
  e2e: { testMatch: ['<rootDir>/**/*.e2e-spec.ts'], testTimeout: 180_000, globalSetup },
};

/** @param {string} projectDir @param {'unit'|'int'|'e2e'} tier */
function jestConfig(projectDir, tier) {
  const name = path.basename(projectDir);
  return {
    displayName: `${name}:${tier}`,
    rootDir: projectDir,
    testEnvironment: 'node',
    ...tiers[tier],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    resolver: '@nx/jest/plugins/resolver',
    moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
    transform: { '^.+\\.(ts|js|mjs)$': ['@swc/jest', swcOptions()] },
    // ESM-only packages @swc/jest must transform: jose 6, and content-disposition (required by
    // @fastify/static, which Swagger UI loads in every in-process app test).
    transformIgnorePatterns: ['/node_modules/(?!(jose|content-disposition)/)'],
  };
}

module.exports = { jestConfig };
