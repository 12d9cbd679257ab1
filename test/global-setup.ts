import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type TestProject } from 'vitest/node';
import { runMigrations } from '../migrations/data-source.js';
import { withDatabase } from './support/urls.js';

/**
 * Uses DATABASE_URL / NATS_URL when set (CI and the local services); otherwise starts
 * PostgreSQL and NATS (JetStream on) with testcontainers. Migrates one template database per
 * run; each suite clones it (test/support/databases.ts).
 */
export default async function setup(project: TestProject) {
  const stops: (() => Promise<unknown>)[] = [];
  let databaseUrl = process.env.DATABASE_URL;
  let natsUrl = process.env.NATS_URL;
  if (!databaseUrl) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    databaseUrl = container.getConnectionUri();
    stops.push(() => container.stop());
  }
  if (!natsUrl) {
    const { NatsContainer } = await import('@testcontainers/nats');
    const container = await new NatsContainer('nats:2.10-alpine').withJetStream().start();
    natsUrl = `nats://${container.getHost()}:${container.getMappedPort(4222)}`;
    stops.push(() => container.stop());
  }

  const template = `poolnet_tpl_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  await runMigrations(withDatabase(databaseUrl, template));

  project.provide('adminDatabaseUrl', databaseUrl);
  project.provide('templateDatabase', template);
  project.provide('natsUrl', natsUrl);

  return async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_%' OR datname = $1`,
      [template],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
    await client.end();
    for (const stop of stops) await stop();
  };
}
