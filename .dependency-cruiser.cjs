// The architecture's boundaries (docs/architecture.md), checked on the import graph by
// `npm run check:boundaries` (CI runs it with the lint). Type-only imports are erased before the
// check (they load nothing), so the rules speak of what a running process loads.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'member-host-never-loads-postgres',
      comment:
        'The member host only ever sees NATS: nothing it loads at boot may reach pg, typeorm or the event store.',
      severity: 'error',
      from: { path: '^apps/member-host/src/main\\.ts$' },
      to: {
        reachable: true,
        path: ['(^|/)node_modules/(pg|pg-[^/]+|typeorm|@event-driven-io)/', '^libs/event-store/'],
      },
    },
    {
      name: 'domain-is-pure',
      comment: 'The domain decides and folds: no framework, persistence, I/O or other lib.',
      severity: 'error',
      from: { path: '^libs/domain/src/', pathNot: '\\.spec\\.ts$' },
      to: { pathNot: ['^libs/domain/src/'] },
    },
    {
      name: 'apps-use-lib-entry-points',
      comment: "An app uses a lib through its entry point (@pool/<lib>), never a lib's inner file.",
      severity: 'error',
      from: { path: '^apps/', pathNot: '\\.(spec|int-spec|e2e-spec)\\.ts$|/testing/' },
      to: {
        path: '^libs/[^/]+/src/',
        pathNot: ['^libs/[^/]+/src/index\\.ts$', '^libs/platform/src/postgres/index\\.ts$'],
      },
    },
    {
      name: 'apps-stay-apart',
      comment: 'Apps share code through libs, never by importing each other.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'test-helpers-stay-out-of-production',
      comment: 'testing/ folders and test/ serve tests; production code never loads them.',
      severity: 'error',
      from: {
        path: '^(apps|libs)/',
        pathNot: ['\\.(spec|int-spec|e2e-spec)\\.ts$', '/testing/'],
      },
      to: { path: ['/testing/', '^test/'] },
    },
    {
      name: 'contracts-carry-no-runtime',
      comment:
        'Wire and HTTP shapes are shared by server, dashboard and CLI: no server framework or database driver (NATS headers are part of the wire).',
      severity: 'error',
      from: { path: '^libs/contracts/src/' },
      to: { path: '(^|/)node_modules/(@nestjs|typeorm|pg|@grpc)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|coverage)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};
