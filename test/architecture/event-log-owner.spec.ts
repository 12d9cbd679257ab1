/**
 * The event log has one owner: `libs/event-store` keeps its tables (`es_*`) private, and apps
 * ask it (log-queries.ts, log-wakeups.ts, PostgresEventStore) instead of naming them. Tests may
 * look at the tables directly (they check what was stored); production files of apps may not.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The log's tables are the `es_*` ones (migrations/1764028800000-CreateEventLog.ts and later). */
const NAMED = /\b(es_[a-z][a-z_]*)\b/g;

/** The log tables a source text names (in SQL, comments or identifiers alike). */
export const logTablesNamed = (text: string): string[] => [
  ...new Set([...text.matchAll(NAMED)].map((m) => m[1]!)),
];

const isTestFile = (path: string) =>
  /\.(spec|int-spec|e2e-spec|fault-spec)\.ts$/.test(path) || path.includes('/testing/');

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => !isTestFile(path));
}

describe('the event log has one owner (unit)', () => {
  it('finds a log table wherever a text names it, and nothing else', () => {
    expect(logTablesNamed("SELECT version FROM es_streams WHERE stream_id = 'pool:p'")).toEqual([
      'es_streams',
    ]);
    expect(logTablesNamed('LISTEN es_events; -- also es_snapshots')).toEqual([
      'es_events',
      'es_snapshots',
    ]);
    expect(logTablesNamed('SELECT * FROM rm_hosts; poolnet_relay_duplicates_total')).toEqual([]);
    expect(logTablesNamed('INSERT INTO es_snapshot_history')).toEqual(['es_snapshot_history']);
  });

  it('no production file of an app names a log table', async () => {
    const offenders: string[] = [];
    for (const file of await sources(join(ROOT, 'apps'))) {
      const named = logTablesNamed(await readFile(file, 'utf8'));
      if (named.length > 0) offenders.push(`${relative(ROOT, file)}: ${named.join(', ')}`);
    }
    expect(offenders).toEqual([]);
  });
});
