import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Architecture in tooling. Every project carries tags (project.json):
//   type:app | type:lib | type:tooling   what it is (apps/*, libs/*, deploy and tools)
//   scope:<service> | scope:shared       who may use it: a service sees itself and shared code
//   kind:… (libs)                        what a lib may contain and depend on:
//     kind:util       pure vocabulary and functions (vn-standards, fhir): no framework, no I/O client
//     kind:contracts  topics, event types and payload schemas (contracts): util only, no framework
//     kind:infra      the service kit (platform, messaging, persistence, fhir-nest): Nest, typeorm, kafkajs
//     kind:fixture    synthetic data (synthetic)       } never reachable from production code:
//     kind:testing    the test harness (testing)       } only test files, bench/ and test/ folders
// tools/lint-rules/src/architecture-rules.spec.ts plants violations and proves each rule fires.

const scopes = ['identity', 'records', 'lab', 'consent', 'exchange', 'analytics', 'simulator', 'sample'];

/** What framework-free code (util, contracts, offline tooling) must not import. */
const frameworkAndClients = ['@nestjs/*', 'nestjs-*', 'fastify', '@fastify/*', 'typeorm', 'kafkajs', 'pg', 'redis'];

/** @param {boolean} inTests test files may also use the fixture and testing libs */
const depConstraints = (inTests) => {
  const testOnly = inTests ? ['kind:fixture', 'kind:testing'] : [];
  return [
    // A service never imports another service; libs and tooling never import a service.
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['kind:util', 'kind:contracts', 'kind:infra', ...testOnly] },
    { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
    // deploy/ generates and validates manifests offline from the contracts.
    {
      sourceTag: 'type:tooling',
      onlyDependOnLibsWithTags: ['kind:util', 'kind:contracts'],
      bannedExternalImports: frameworkAndClients,
    },
    { sourceTag: 'kind:util', onlyDependOnLibsWithTags: ['kind:util', ...testOnly], bannedExternalImports: frameworkAndClients },
    {
      sourceTag: 'kind:contracts',
      onlyDependOnLibsWithTags: ['kind:util', 'kind:contracts', ...testOnly],
      bannedExternalImports: frameworkAndClients,
    },
    { sourceTag: 'kind:infra', onlyDependOnLibsWithTags: ['kind:util', 'kind:contracts', 'kind:infra', ...testOnly] },
    { sourceTag: 'kind:fixture', onlyDependOnLibsWithTags: ['kind:util', 'kind:contracts', 'kind:fixture', ...testOnly] },
    {
      sourceTag: 'kind:testing',
      onlyDependOnLibsWithTags: ['kind:util', 'kind:contracts', 'kind:infra', 'kind:fixture', 'kind:testing'],
    },
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    ...scopes.map((s) => ({ sourceTag: `scope:${s}`, onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared'] })),
  ];
};

// Test code: specs, test/ and bench/ folders, and an app's in-memory test kits (src/<context>/testing/,
// which only specs import; tsconfig.app.json leaves them out of the build).
const testFiles = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts', '**/bench/**/*.ts', 'apps/*/src/**/testing/**/*.ts'];

// Layer rules inside a service (apps/<name>/src/<context>/{domain,ports,use-cases,adapters}).
// Dependencies point inwards: adapters → use cases → ports → domain. Relative paths only: within an
// app there are no aliases, and `@lienthong/persistence` (the Tx/Db port types) is not a layer path.
const outerLayerPaths = (layers) => ({
  regex: `^\\.{1,2}/(.*/)?(${layers.join('|')})(/|$)`,
  message: 'Dependencies point inwards (adapters → use cases → ports → domain); this file must not reach outwards.',
});
const nest = {
  regex: '^(@nestjs/|nestjs-)',
  message: 'Domain and ports are plain TypeScript; Nest belongs in use cases (DI) and adapters.',
};
const dataAndBrokerClients = {
  regex: '^(typeorm|@nestjs/typeorm|pg|kafkajs|redis)(/|$)',
  message: 'SQL, Kafka and Redis belong in adapters/; depend on a port instead.',
};
const serviceKit = (libs) => ({
  regex: `^@lienthong/(${libs.join('|')})(/|$)`,
  message: 'Domain and ports are plain TypeScript; the service kit is for use cases and adapters.',
});
const layerRule = (patterns) => ['error', { patterns }];
// Integration and end-to-end specs wire real adapters by design; unit specs use in-memory port fakes.
const wiredTests = ['**/*.int-spec.ts', '**/*.e2e-spec.ts'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/.nx', '**/tmp', '.infra', '**/*.cjs', '**/*.mjs', '**/*.js'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: true, allow: [], depConstraints: depConstraints(false) },
      ],
    },
  },
  {
    files: testFiles,
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: true, allow: [], depConstraints: depConstraints(true) },
      ],
    },
  },
  {
    files: ['apps/*/src/**/domain/**/*.ts'],
    ignores: wiredTests,
    rules: {
      '@typescript-eslint/no-restricted-imports': layerRule([
        nest,
        dataAndBrokerClients,
        serviceKit(['platform', 'messaging', 'persistence']),
        outerLayerPaths(['adapters', 'persistence', 'use-cases']),
      ]),
    },
  },
  {
    // Ports are as plain as the domain, but their signatures name the unit-of-work handles and the
    // acting principal: types only, which carry no framework at run time.
    files: ['apps/*/src/**/ports/**/*.ts'],
    ignores: wiredTests,
    rules: {
      '@typescript-eslint/no-restricted-imports': layerRule([
        nest,
        dataAndBrokerClients,
        serviceKit(['messaging']),
        {
          regex: '^@lienthong/(platform|persistence)(/|$)',
          allowTypeImports: true,
          message: 'Ports name kit types only (import type: Tx, Db, Actor); implementations are wired in adapters.',
        },
        outerLayerPaths(['adapters', 'persistence', 'use-cases']),
      ]),
    },
  },
  {
    files: ['apps/*/src/**/use-cases/**/*.ts'],
    ignores: wiredTests,
    rules: {
      '@typescript-eslint/no-restricted-imports': layerRule([
        dataAndBrokerClients,
        outerLayerPaths(['adapters', 'persistence']),
      ]),
    },
  },
];
