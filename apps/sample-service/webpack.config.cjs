// `nx build sample-service` → dist/apps/sample-service/main.js (see tools/service-webpack.cjs).
module.exports = require('../../tools/service-webpack.cjs')(__dirname);
