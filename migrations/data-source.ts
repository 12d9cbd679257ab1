import 'reflect-metadata';
import { pgConnection } from '@pool/event-store';
import { DataSource } from 'typeorm';
import { type RetryOptions, initializeWithRetry } from './connect-with-retry.js';
import { migrations } from './index.js';

/** A DataSource for running migrations; `synchronize` stays off everywhere. */
export function migrationDataSource(url: string): DataSource {
  const { connectionString, stream } = pgConnection(url);
  return new DataSource({
    type: 'postgres',
    url: connectionString,
    extra: stream ? { stream } : undefined,
    migrations,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
  });
}

/**
 * Runs pending migrations, one runner at a time across processes (advisory lock). With `retry`,
 * a server that is still starting is waited for (compose starts `migrate` beside PostgreSQL).
 */
export async function runMigrations(url: string, retry?: RetryOptions): Promise<string[]> {
  const dataSource = retry
    ? await initializeWithRetry(() => migrationDataSource(url), retry)
    : await migrationDataSource(url).initialize();
  try {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock(hashtextextended('poolnet-migrations', 0))`);
      const ran = await dataSource.runMigrations({ transaction: 'each' });
      return ran.map((m) => m.name);
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtextextended('poolnet-migrations', 0))`);
      await runner.release();
    }
  } finally {
    await dataSource.destroy();
  }
}
