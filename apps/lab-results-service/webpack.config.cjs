// `nx build lab-results-service` → dist/apps/lab-results-service/{main.js,migrate.js} (see tools/service-webpack.cjs).
module.exports = require('../../tools/service-webpack.cjs')(__dirname, {
  // A second bundle that applies migrations and exits (run once per deploy, not by every replica).
  additionalEntryPoints: [{ entryName: 'migrate', entryPath: './src/migrate.ts' }],
});
