// Built by `nx build identity-service` (inferred by @nx/webpack/plugin). The libs' TypeScript is bundled
// into main.js; node_modules stay external require()s, listed in the generated package.json.
const { join } = require('node:path');
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');

module.exports = {
  output: {
    path: join(__dirname, '../../dist/apps/identity-service'),
    // Without commonjs2 the bundle exports nothing (see docs recipe); harmless for a plain server.
    library: { type: 'commonjs2' },
    clean: true,
  },
  devtool: 'source-map',
  plugins: [
    new NxAppWebpackPlugin({
      target: 'node',
      compiler: 'tsc',
      main: './src/main.ts',
      // A second bundle that applies migrations and exits (run once per deploy, not by every replica).
      additionalEntryPoints: [{ entryName: 'migrate', entryPath: './src/migrate.ts' }],
      tsConfig: './tsconfig.app.json',
      outputHashing: 'none',
      optimization: false,
      generatePackageJson: true,
      // Loaded by name at runtime (pg by TypeORM's driver; tslib by importHelpers), so the import scan
      // cannot see them.
      runtimeDependencies: ['pg', 'tslib'],
      typeCheckOptions: { async: false },
      sourceMap: true,
      // The seed registry ships beside main.js (dist/apps/identity-service/assets/) so ops can swap it.
      assets: [{ input: './src/facilities/seed', glob: 'facilities.synthetic.json', output: 'assets' }],
    }),
  ],
};
