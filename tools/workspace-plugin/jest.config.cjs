// The generated-service spec builds a whole app in a scratch workspace: minutes, not the unit tier's seconds.
const base = require('../../jest.preset.cjs').jestConfig(__dirname, 'unit');
module.exports = { ...base, testTimeout: 300_000 };
