import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { adminDatabaseUrl, templateDatabase } from './services.js';
import { withDatabase } from './urls.js';

/**
 * A database of its own for one suite, cloned from the migrated template: migrations run once
 * per test run, and suites never see each other's rows.
 */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${templateDatabase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(adminDatabaseUrl(), name),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminDatabaseUrl() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
