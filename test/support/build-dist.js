// Jest globalSetup of the e2e tier: compiles the gateway once, for the tests that run
// `node dist/main.js` as a real process.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async function buildDist() {
  const root = join(__dirname, '..', '..');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
};
