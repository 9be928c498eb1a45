// The generators' entry for Nx. Nx runs a local plugin's TypeScript through @swc-node/register or
// ts-node, and this workspace installs neither: scripts/run-ts.cjs compiles it with the @swc/core it
// already has (the Jest preset's options), then the TypeScript generators load as usual.
'use strict';
require('../../scripts/run-ts.cjs');

exports.service = require('./src/generators/service/service.generator.ts').default;
exports.useCase = require('./src/generators/use-case/use-case.generator.ts').default;
