/**
 * Folder boundaries, checked by src/architecture.spec.ts in `npm test` (and by hand with
 * `npx depcruise src --config .dependency-cruiser.cjs`). Paths are relative to the repository root.
 * Each rule says why it exists; a rule that needs an exception should get a narrower pattern and
 * a comment, not a severity of 'warn'.
 */

/**
 * Helpers in common/ that a domain file may use: plain functions and types with no framework, no
 * I/O and no state of their own (ids and clocks, the domain error type, the caller's identity,
 * phone-number parsing, masking of personal data in text).
 */
const PURE_COMMON = [
  'ids', 'agent-id', 'errors/domain-error', 'auth/principal', 'phone/phone', 'masking/sensitive',
];

/**
 * npm packages a domain file may import. Empty today: the state machines need none. A package
 * belongs here only if it does no I/O and brings no framework (libphonenumber-js would qualify;
 * @nestjs/*, rxjs, kysely, pg, better-sqlite3, ioredis never do).
 */
const DOMAIN_PACKAGES = [];

const alternatives = (list) => `(${list.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`;

/** What any file in a domain/ folder may import. */
const DOMAIN_ALLOWED = [
  '^src/.*/domain/',
  `^src/common/${alternatives(PURE_COMMON)}\\.ts$`,
  ...(DOMAIN_PACKAGES.length ? [`^node_modules/${alternatives(DOMAIN_PACKAGES)}/`] : []),
];

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'domain/ holds the state machines and rules that take a state and a fact and return the next '
        + 'state plus events. They are table-tested without a database or a Nest container, and they stay '
        + 'that way only if they import nothing but other domain files, pure helpers and allow-listed '
        + 'packages: no Nest, rxjs, drivers, storage, services, controllers or repositories.',
      from: { path: '^src/.*/domain/', pathNot: '\\.spec\\.ts$' },
      to: { pathNot: DOMAIN_ALLOWED },
    },
    {
      name: 'domain-specs-are-pure',
      severity: 'error',
      comment:
        'The table tests beside the domain obey the same rule, so they run without a database or a Nest '
        + "container; they may also use Node's built-ins, to read a recorded fixture or a document they "
        + 'check against the code (the README event table).',
      from: { path: '^src/.*/domain/.*\\.spec\\.ts$' },
      to: { pathNot: DOMAIN_ALLOWED, dependencyTypesNot: ['core'] },
    },
    {
      name: 'common-imports-no-feature',
      severity: 'error',
      comment:
        'common/ is the bottom layer every feature may use (errors, masking, ids, auth primitives). If it '
        + 'imported a feature (tenants, config, storage, ...) the layers would fold into one knot: a change '
        + 'in a feature could break every other feature through common/. What a common piece needs from a '
        + 'feature is passed in by the composition root (app.module.ts) through an interface declared here. '
        + 'Any folder but common/ counts, so a feature added later is covered without editing this rule.',
      from: { path: '^src/common/' },
      to: { path: '^src/', pathNot: '^src/common/' },
    },
    {
      name: 'adapters-only-behind-ports',
      severity: 'error',
      comment:
        'A provider adapter (src/providers/<name>/) is reached only through the ports, the registry and '
        + 'the descriptors in src/providers/*.ts and src/providers/callbacks/. A service or controller that '
        + 'imports an adapter (or checks `instanceof` one) ties a use case to one vendor, and a new provider '
        + 'then means editing the use case. The composition root (app.module.ts, bootstrap.ts, main.ts) '
        + 'may wire adapters in.',
      from: {
        path: '^src/',
        pathNot: ['^src/providers/', '^src/(app\\.module|bootstrap|main)\\.ts$'],
      },
      to: { path: '^src/providers/[^/]+/', pathNot: '^src/providers/callbacks/' },
    },
    {
      name: 'schema-declares-its-rows',
      severity: 'error',
      comment:
        'storage/schema.ts declares the rows as the database stores them. Importing a domain type there '
        + 'makes a domain change silently a schema change (with no migration); the repositories map rows '
        + 'to domain objects and back instead, so the compiler points at the one place to adapt.',
      from: { path: '^src/storage/schema\\.ts$' },
      to: { path: '^src/', pathNot: '^src/storage/' },
    },
    {
      name: 'no-circular-modules',
      severity: 'error',
      comment:
        'A file-level import cycle that exists at run time makes load order matter: one file sees the '
        + "other's exports as undefined while it loads (a DTO's @IsIn list, a class Nest reads metadata "
        + 'from). Cycles made only of `import type` are erased by the compiler and allowed. Cycles between '
        + 'whole feature folders are not forbidden yet: calls, conversations, messaging, events and '
        + 'providers still reach into each other (see the README).',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'], viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    // Type-only imports count: a domain file importing `type { Kysely }` depends on the driver all the same.
    tsPreCompilationDeps: true,
    // Packages are checked as targets of an import, not cruised themselves. (Do not `exclude` them:
    // that would drop the import too, and with it every rule about which packages may be imported.)
    doNotFollow: { path: 'node_modules' },
  },
};
