// Runs TypeScript from the workspace under plain Node, for benchmarks, scripts and test fixtures
// that need a real process:  node -r ./scripts/run-ts.cjs some/file.ts   (or: node scripts/run-ts.cjs file.ts args…)
// Compiles each .ts file on require with @swc/core (the Jest preset's options, tools/swc-options.cjs) and
// resolves the @lienthong/* path aliases from tsconfig.base.json. Production code is built by Nx instead.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const swc = require('@swc/core');
const { swcOptions } = require('../tools/swc-options.cjs');

const root = path.resolve(__dirname, '..');
const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
const aliases = Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, path.join(root, target)]);

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveAlias(request, ...rest) {
  for (const [alias, target] of aliases) if (request === alias) return target;
  return originalResolve.call(this, request, ...rest);
};

// Inline source maps so stack traces from benchmarks and spawned fixtures point at the .ts lines.
const options = { ...swcOptions(), sourceMaps: 'inline' };

require.extensions['.ts'] = function compileTs(module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};

if (require.main === module) {
  const [file, ...args] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node scripts/run-ts.cjs <file.ts> [args…]');
    process.exit(2);
  }
  process.argv = [process.argv[0], path.resolve(file), ...args];
  require(path.resolve(file));
}
