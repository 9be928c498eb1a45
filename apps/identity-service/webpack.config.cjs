// `nx build identity-service` → dist/apps/identity-service/{main.js,migrate.js,rotate-keys.js,assets/} (see tools/service-webpack.cjs).
module.exports = require('../../tools/service-webpack.cjs')(__dirname, {
  additionalEntryPoints: [
    // Applies migrations and exits (run once per deploy, not by every replica).
    { entryName: 'migrate', entryPath: './src/migrate.ts' },
    // Re-encrypts identifiers under the active key and exits (run by an operator after a key change).
    { entryName: 'rotate-keys', entryPath: './src/rotate-keys.ts' },
  ],
  // The seed registry ships beside main.js (dist/apps/identity-service/assets/) so ops can swap it.
  assets: [{ input: './src/facilities/adapters/seed/data', glob: 'facilities.synthetic.json', output: 'assets' }],
});
