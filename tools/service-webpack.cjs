// The build every service shares (inferred as `nx build <app>` by @nx/webpack/plugin from the app's
// webpack.config.cjs). The libs' TypeScript is bundled into main.js; node_modules stay external
// require()s, listed in the generated package.json (and pruned lockfile) the Dockerfile installs from.
const { basename, join } = require('node:path');
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');

/**
 * @param {string} appDir the app's folder (pass __dirname)
 * @param {{ additionalEntryPoints?: { entryName: string, entryPath: string }[], assets?: unknown[] }} [extra]
 */
module.exports = function serviceWebpackConfig(appDir, extra = {}) {
  return {
    output: {
      path: join(__dirname, '../dist/apps', basename(appDir)),
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
        // Loaded by name at runtime (pg by TypeORM's driver; tslib by importHelpers), so the import
        // scan cannot see them.
        runtimeDependencies: ['pg', 'tslib'],
        typeCheckOptions: { async: false },
        sourceMap: true,
        ...extra,
      }),
    ],
  };
};
