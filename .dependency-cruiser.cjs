// Import rules of STYLE.md §2, checked by `npm run deps:check` (dependency-cruiser) in CI.
//
//   config/    imports nothing else from src/
//   database/  imports config/ only (and migrations/, which it runs)
//   common/    imports config/ (and database/'s driver helpers) at most — never src/modules/; this includes
//              common/openapi, which gets everything module-specific (schemas, access texts, tag order) from
//              src/app.openapi.ts at the top of the graph
//   modules/   a module reaches another only through its public surface (PUBLIC below); a module's
//              *.repository.ts is private to it; entities cross module lines only for relations (from an
//              entity file) or as types (a service of another module returns one)
//   migrations/ are frozen history: they import nothing from src/
//   no cycles; src/ never imports test/ or a devDependency (`npm ci --omit=dev` must still start the server)
//
// A rule's `from.path` group ($1) is the importing module's folder name, so "another module" is
// `pathNot: '^src/modules/$1/'`.

/**
 * Files of module <m> that another module may import:
 *   *.module.ts     Nest `imports: [XModule]`
 *   *.service.ts    exported services (STYLE §2: "A module reaches another only through its exported service")
 *   *.usecase.ts    use cases at the top of the graph (cascades), which retention calls too
 *   *.types.ts      shared types and enums (audit actions)
 *   *.errors.ts     message constants that a test and the code share
 *   *.constants.ts  limits and closed sets (events' constants in metrics/funnels DTOs)
 *   *.mapper.ts     response types and mappers (a team summary inside an invitation response)
 *   *.schemas.ts    OpenAPI schemas of the module's answers (invitations' TeamDetails extends a team's fields)
 *   entities/*.entity.ts  further restricted by `entity-value-import-outside-relations`
 */
// A module's public surface: its module, services, use cases, types, error texts, constants, mappers (response shapes),
// OpenAPI schemas, entities (for relations) and request DTOs (the wire contract, e.g. POST /projects served by the cascades module).
const PUBLIC =
  '^src/modules/[^/]+/([^/]+[.](module|service|usecase|types|errors|constants|mapper|schemas)|entities/[^/]+[.]entity|dto/[^/]+[.]dto)[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles (and so no forwardRef): STYLE.md §2 draws the module graph as a DAG.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'config-imports-nothing-from-src',
      severity: 'error',
      comment: 'src/config is the bottom layer: env parsing and the typed config object.',
      from: { path: '^src/config/' },
      to: { path: '^(src|migrations)/', pathNot: '^src/config/' },
    },
    {
      name: 'database-imports-config-only',
      severity: 'error',
      comment: 'src/database (TypeORM options, CLI data source, embedded PostgreSQL) imports config/ and migrations/ only.',
      from: { path: '^src/database/' },
      to: { path: '^src/', pathNot: '^src/(database|config)/' },
    },
    {
      name: 'common-never-imports-modules',
      severity: 'error',
      comment:
        'src/common is shared plumbing (auth enums, guards, filters, pipes, rate limit, the OpenAPI document): it imports config/ (and ' +
        "database/'s driver helpers) at most, never a feature module. Invert the dependency with a token instead.",
      from: { path: '^src/common/' },
      to: { path: '^src/', pathNot: '^src/(common|config|database)/' },
    },
    {
      name: 'module-imports-other-module-through-public-surface',
      severity: 'error',
      comment:
        'A module reaches another only through its *.module.ts / *.service.ts / *.usecase.ts / *.types.ts / ' +
        '*.errors.ts / *.constants.ts / *.mapper.ts / *.schemas.ts / entities/*.entity.ts; move what you need into one of those.',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/', pathNot: ['^src/modules/$1/', PUBLIC] },
    },
    {
      name: 'repository-is-private-to-its-module',
      severity: 'error',
      comment: 'Nothing in src/ outside a module imports its *.repository.ts (types it exports belong in *.types.ts).',
      from: { path: '^(src/modules/[^/]+)/' },
      to: { path: '\\.repository\\.ts$', pathNot: '^$1/' },
    },
    {
      name: 'repository-is-private-outside-modules',
      severity: 'error',
      comment: 'Nothing in src/ outside a module imports its *.repository.ts (tests may: they test repositories).',
      from: { path: '^src/', pathNot: '^src/modules/' },
      to: { path: '^src/modules/.+\\.repository\\.ts$' },
    },
    {
      name: 'entity-value-import-outside-relations',
      severity: 'error',
      comment:
        "Another module's entity class is imported as a value only by an entity file (for a relation). Elsewhere " +
        "import it as a type (`import type`), and take constants from the owning module's *.constants.ts.",
      from: { path: '^src/modules/([^/]+)/', pathNot: '\\.entity\\.ts$' },
      to: {
        path: '^src/modules/[^/]+/entities/',
        pathNot: '^src/modules/$1/',
        dependencyTypesNot: ['type-only', 'pre-compilation-only'],
      },
    },
    {
      name: 'migrations-are-frozen',
      severity: 'error',
      comment: 'A migration is history: it must not change when an entity or constant in src/ does.',
      from: { path: '^migrations/' },
      to: { path: '^src/' },
    },
    {
      name: 'src-never-imports-test',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'src-never-imports-dev-dependencies',
      severity: 'error',
      comment: 'The production install (`npm ci --omit=dev`) has no devDependencies. Type-only imports vanish and are fine.',
      from: { path: '^(src|migrations)/', pathNot: '\\.spec\\.ts$' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only', 'pre-compilation-only'] },
    },
    {
      name: 'no-undeclared-packages',
      severity: 'error',
      comment: 'Every package imported is in package.json (not only present through another package).',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|coverage)/' },
    // Imports that TypeScript erases (types only) are still seen, and marked, so rules can let them through.
    tsPreCompilationDeps: 'specify',
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
