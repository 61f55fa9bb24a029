import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The folder boundaries of .dependency-cruiser.cjs, checked on every `npm test`. The rules and the
 * reason for each live in that file; this test runs them and lists every broken one.
 */
const root = join(__dirname, '..');
const rules = require(join(root, '.dependency-cruiser.cjs')) as { forbidden: { name: string }[] };

interface Cruise {
  modules: number;
  violations: { rule: string; from: string; to: string }[];
}

/** dependency-cruiser's JS API in a child process (the package is ESM-only; jest runs CommonJS). */
function cruise(baseDir: string): Cruise {
  const runner = join(root, 'test', 'support', 'dependency-cruise.mjs');
  const out = execFileSync(process.execPath, [runner, join(root, '.dependency-cruiser.cjs'), baseDir, 'src'], {
    cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out) as Cruise;
}

/** `rule: from → to`, with a package's path shortened to start at node_modules/. */
const line = (v: Cruise['violations'][number]) => `${v.rule}: ${v.from} → ${v.to.replace(/^(\.\.\/)+/, '')}`;

describe('folder boundaries (.dependency-cruiser.cjs)', () => {
  it('src/ breaks none of them', () => {
    const result = cruise(root);
    // A wrong path or pattern would cruise nothing and find nothing to complain about.
    expect(result.modules).toBeGreaterThan(150);
    expect(result.violations.map(line)).toEqual([]);
  });

  it('every rule fires on a fixture that breaks it, and lets the allowed imports beside it pass', () => {
    const result = cruise(join(root, 'test', 'fixtures', 'architecture'));
    expect(result.violations.map(line).sort()).toEqual([
      'adapters-only-behind-ports: src/billing/billing.service.ts → src/providers/acme/acme.sms.ts',
      'common-imports-no-feature: src/common/clock.ts → src/billing/billing-cycle.ts',
      'domain-is-pure: src/billing/domain/invoice.ts → fs',
      'domain-is-pure: src/billing/domain/invoice.ts → node_modules/@nestjs/common/index.js',
      'domain-is-pure: src/billing/domain/invoice.ts → src/storage/database.ts',
      'domain-specs-are-pure: src/billing/domain/invoice.spec.ts → node_modules/@nestjs/common/index.js',
      'no-circular-modules: src/billing/ledger-a.ts → src/billing/ledger-b.ts',
      'schema-declares-its-rows: src/storage/schema.ts → src/billing/domain/invoice.ts',
    ]);
    // A rule added to the file without a fixture that breaks it would go unproven.
    expect(new Set(result.violations.map((v) => v.rule))).toEqual(new Set(rules.forbidden.map((r) => r.name)));
  });
});

/**
 * No Nest interceptor on any route: any one makes Nest run its interceptor chain for the route
 * (rxjs, an AsyncResource.bind per layer), measured at about a third of `POST /v1/conversations`'
 * CPU per request. What interceptors would do is done by Fastify hooks on the instance
 * (common/masking/masked-answers.ts) or by a function the handler calls (idempotency/idempotent.ts).
 */
describe('no Nest interceptor (README "Benchmarks")', () => {
  const INTERCEPTOR = /\bUseInterceptors\s*\(|\bAPP_INTERCEPTOR\b|\buseGlobalInterceptors\s*\(/;

  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sources(path);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
    });
  }

  it('is declared anywhere in src/', () => {
    const files = sources(join(root, 'src'));
    expect(files.length).toBeGreaterThan(150);
    // The pattern finds each way of declaring one.
    for (const way of ['@UseInterceptors(Masking)', '{ provide: APP_INTERCEPTOR, useClass: X }', 'app.useGlobalInterceptors(new X())']) {
      expect(way).toMatch(INTERCEPTOR);
    }
    const declaring = files.filter((file) => INTERCEPTOR.test(readFileSync(file, 'utf8'))).map((file) => file.slice(root.length + 1));
    expect(declaring).toEqual([]);
  });
});
