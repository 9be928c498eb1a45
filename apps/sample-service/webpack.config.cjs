// Built by `nx build sample-service` (inferred by @nx/webpack/plugin). The libs' TypeScript is bundled
// into main.js; node_modules stay external require()s, listed in the generated package.json.
const { join } = require('node:path');
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');

module.exports = {
  output: {
    path: join(__dirname, '../../dist/apps/sample-service'),
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
      tsConfig: './tsconfig.app.json',
      outputHashing: 'none',
      optimization: false,
      generatePackageJson: true,
      // Loaded by name at runtime (pg by TypeORM's driver; tslib by importHelpers), so the import scan
      // cannot see them.
      runtimeDependencies: ['pg', 'tslib'],
      typeCheckOptions: { async: false },
      sourceMap: true,
    }),
  ],
};
