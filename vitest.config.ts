import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const lib = (name: string) =>
  fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));

const alias = {
  '@pool/domain': lib('domain'),
  '@pool/event-store': lib('event-store'),
  '@pool/contracts': lib('contracts'),
  // A subpath before its package: the first alias whose prefix matches wins.
  '@pool/vswitch/testing': fileURLToPath(
    new URL('./libs/vswitch/src/testing/index.ts', import.meta.url),
  ),
  '@pool/vswitch': lib('vswitch'),
  '@pool/platform/postgres': fileURLToPath(
    new URL('./libs/platform/src/postgres/index.ts', import.meta.url),
  ),
  '@pool/platform': lib('platform'),
  '@pool/pool-topology': lib('pool-topology'),
};

// SWC keeps Nest's decorator metadata, which esbuild drops.
const plugins = [swc.vite({ module: { type: 'es6' } })];

/**
 * Fault injection (`npm run test:faults`): its own NATS and PostgreSQL per file, one file at a
 * time. Listed only when POOLNET_FAULTS is set, so a bare `vitest run` (npm test) skips it.
 */
const faults = {
  plugins,
  resolve: { alias },
  test: {
    name: 'faults',
    include: ['test/faults/**/*.fault-spec.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    pool: 'forks' as const,
    poolOptions: { forks: { singleFork: true } },
  },
};

export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    projects: [
      {
        plugins,
        resolve: { alias },
        test: { name: 'unit', include: ['{apps,libs,migrations,test,bench}/**/*.spec.ts'] },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'int',
          globalSetup: ['./test/global-setup.ts'],
          include: ['{apps,libs,test}/**/*.int-spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'e2e',
          globalSetup: ['./test/global-setup.ts'],
          include: ['test/**/*.e2e-spec.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      ...(process.env.POOLNET_FAULTS ? [faults] : []),
    ],
  },
});
