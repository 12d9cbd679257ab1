/**
 * The architecture's boundaries (.dependency-cruiser.cjs, `npm run check:boundaries`): the tree
 * keeps them, and a small tree that breaks each one is caught, so the check can fail.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules/.bin/depcruise');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** The violations depcruise finds in `dirs` of `cwd`, with the repository's rules. */
async function violations(cwd: string, dirs: string[]): Promise<Violation[]> {
  const args = [...dirs, '--config', CONFIG, '--output-type', 'json'];
  const out = await promisify(execFile)(DEPCRUISE, args, { cwd, maxBuffer: 256 << 20 }).then(
    (r) => r.stdout,
    // depcruise exits non-zero when it finds errors; the report is still on stdout.
    (error: { stdout?: string }) => error.stdout ?? '',
  );
  return (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
}

/** Files of a tree that breaks every rule once. */
const BROKEN: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true },
  }),
  'package.json': JSON.stringify({ type: 'module' }),
  'apps/member-host/src/main.ts': "import { boot } from './boot.js';\nboot();\n",
  // Two steps away from main: the rule follows the graph, not main's own imports.
  'apps/member-host/src/boot.ts':
    "import { store } from '../../../libs/event-store/src/index.js';\nexport const boot = () => store;\n",
  'libs/event-store/src/index.ts': "import pg from 'pg';\nexport const store = pg;\n",
  'libs/domain/src/decide.ts':
    "import { readFileSync } from 'node:fs';\nexport const d = readFileSync;\n",
  'apps/projection/src/inner.ts':
    "import { sql } from '../../../libs/event-store/src/sql.js';\nimport { boot } from '../../member-host/src/boot.js';\nexport const x = [sql, boot];\n",
  'libs/event-store/src/sql.ts': "export const sql = 'SELECT 1';\n",
  'libs/vswitch/src/index.ts': "import { t } from './testing/builder.js';\nexport const v = t;\n",
  'libs/vswitch/src/testing/builder.ts': 'export const t = 1;\n',
  'libs/contracts/src/shape.ts':
    "import { Module } from '@nestjs/common';\nexport const m = Module;\n",
  'libs/platform/src/index.ts':
    "import { boot } from '../../../apps/member-host/src/boot.js';\nexport const p = boot;\n",
};

describe('architecture boundaries (dependency-cruiser)', () => {
  let broken: string;

  beforeAll(async () => {
    broken = await mkdtemp(join(tmpdir(), 'poolnet-boundaries-'));
    for (const [file, text] of Object.entries(BROKEN)) {
      await mkdir(dirname(join(broken, file)), { recursive: true });
      await writeFile(join(broken, file), text);
    }
    await symlink(join(ROOT, 'node_modules'), join(broken, 'node_modules'));
  });

  afterAll(() => rm(broken, { recursive: true, force: true }));

  it('the repository keeps every boundary', async () => {
    expect(await violations(ROOT, ['apps', 'libs', 'bench', 'migrations'])).toEqual([]);
  }, 300_000);

  it('a tree that breaks each boundary is caught, rule by rule', async () => {
    const found = await violations(broken, ['apps', 'libs']);
    const byRule = (name: string) =>
      found
        .filter((v) => v.rule.name === name)
        .map((v) => `${v.from} → ${v.to.replace(/^.*node_modules\//, 'node_modules/')}`);
    expect(byRule('member-host-never-loads-postgres')).toEqual(
      expect.arrayContaining([
        'apps/member-host/src/main.ts → libs/event-store/src/index.ts',
        expect.stringMatching(/^apps\/member-host\/src\/main\.ts → node_modules\/pg\//),
      ]),
    );
    expect(byRule('domain-is-pure')).toEqual(['libs/domain/src/decide.ts → fs']);
    expect(byRule('apps-use-lib-entry-points')).toEqual([
      'apps/projection/src/inner.ts → libs/event-store/src/sql.ts',
    ]);
    expect(byRule('apps-stay-apart')).toEqual([
      'apps/projection/src/inner.ts → apps/member-host/src/boot.ts',
    ]);
    expect(byRule('test-helpers-stay-out-of-production')).toEqual([
      'libs/vswitch/src/index.ts → libs/vswitch/src/testing/builder.ts',
    ]);
    expect(byRule('contracts-carry-no-runtime')).toHaveLength(1);
    expect(byRule('libs-never-import-apps')).toEqual([
      'libs/platform/src/index.ts → apps/member-host/src/boot.ts',
    ]);
  }, 300_000);
});
