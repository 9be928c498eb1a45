module.exports = require('../../jest.preset.cjs').jestConfig(__dirname, 'e2e');
