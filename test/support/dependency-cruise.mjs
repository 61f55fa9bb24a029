// Runs dependency-cruiser's JS API over one tree with the rules of .dependency-cruiser.cjs and
// prints {modules, violations} as JSON. A separate Node process because the package is ESM-only
// and jest's CommonJS module runtime cannot load it. Used by src/architecture.spec.ts.
//
//   node test/support/dependency-cruise.mjs <rules.cjs> <baseDir> <path>...
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { cruise } from 'dependency-cruiser';

const [rulesFile, baseDir, ...paths] = process.argv.slice(2);
const { forbidden, options } = createRequire(import.meta.url)(resolve(rulesFile));
const { output } = await cruise(paths, {
  ...options,
  baseDir: resolve(baseDir),
  validate: true,
  ruleSet: { forbidden },
});
const { summary, modules } = output;
process.stdout.write(JSON.stringify({
  modules: modules.length,
  violations: summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to, cycle: v.cycle?.map((c) => c.name) })),
}));
