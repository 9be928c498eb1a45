// nest/ is a project of its own (fhir-nest) with its own Jest config.
module.exports = { ...require('../../jest.preset.cjs').jestConfig(__dirname, 'unit'), roots: ['<rootDir>/src'] };
