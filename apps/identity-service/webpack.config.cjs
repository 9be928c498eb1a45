// `nx build identity-service` → dist/apps/identity-service/{main.js,migrate.js,assets/} (see tools/service-webpack.cjs).
module.exports = require('../../tools/service-webpack.cjs')(__dirname, {
  // A second bundle that applies migrations and exits (run once per deploy, not by every replica).
  additionalEntryPoints: [{ entryName: 'migrate', entryPath: './src/migrate.ts' }],
  // The seed registry ships beside main.js (dist/apps/identity-service/assets/) so ops can swap it.
  assets: [{ input: './src/facilities/adapters/seed/data', glob: 'facilities.synthetic.json', output: 'assets' }],
});
