// The one swc configuration for TypeScript that runs without an Nx build: Jest (@swc/jest, via
// jest.preset.cjs) and scripts/run-ts.cjs (benchmarks, scripts, test fixtures run as processes).
// Decorator metadata is on because Nest resolves constructor injection from it; keepClassNames
// because Nest and error messages use class names. Types are checked by the typecheck targets.
'use strict';

/** A fresh object per call: @swc/jest adds its own settings to the options it is given. */
function swcOptions() {
  return {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  };
}

module.exports = { swcOptions };
