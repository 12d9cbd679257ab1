import { POOL_STREAM_PREFIX } from '@pool/contracts';
import { ageOfFirstEventAfter, totalStreamVersions } from '@pool/event-store';
import type pg from 'pg';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { loadReadModelCheckpoint } from './read-model-store.js';

/**
 * What an operator watches on the projection. The lag gauges are read from the database at
 * scrape time, so every replica reports them, not only the one projecting.
 */
export function projectionMetrics(registry: Registry, db: pg.Pool) {
  const registers = [registry];
  return {
    events: new Counter({
      name: 'poolnet_projection_events_total',
      help: 'Events folded into the read models by this replica',
      registers,
    }),
    rows: new Counter({
      name: 'poolnet_projection_rows_total',
      help: 'Read-model rows written (upserted or deleted) by this replica',
      registers,
    }),
    batchEvents: new Histogram({
      name: 'poolnet_projection_batch_events',
      help: 'Events per read-model batch (one transaction)',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'poolnet_projection_batch_seconds',
      help: 'Time to read, fold, derive and commit one batch',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    errors: new Counter({
      name: 'poolnet_projection_errors_total',
      help: 'Projector failures (each restarts it from the checkpoint)',
      registers,
    }),
    leader: new Gauge({
      name: 'poolnet_projection_leader',
      help: '1 while this replica runs the projector and the host-reports consumer',
      registers,
    }),
    reports: new Counter({
      name: 'poolnet_projection_host_reports_total',
      help: 'Host reports applied to host status (skipped: older or redelivered)',
      labelNames: ['result'],
      registers,
    }),
    lagEvents: new Gauge({
      name: 'poolnet_projection_lag_events',
      help: 'Pool events committed to the log and not yet in the read models',
      registers,
      async collect() {
        const lag = await scrape(async () => {
          const inLog = await totalStreamVersions(db, POOL_STREAM_PREFIX);
          const { rows } = await db.query<{ folded: string }>(
            'SELECT coalesce(sum(version), 0)::text AS folded FROM rm_pools',
          );
          return inLog - Number(rows[0]?.folded ?? 0);
        });
        if (lag !== undefined) this.set(lag);
      },
    }),
    lagSeconds: new Gauge({
      name: 'poolnet_projection_lag_seconds',
      help: 'Age of the oldest committed event not yet in the read models (0 when caught up)',
      registers,
      async collect() {
        const age = await scrape(async () => {
          const { position } = await loadReadModelCheckpoint(db);
          return ageOfFirstEventAfter(db, position);
        });
        if (age !== undefined) this.set(age);
      },
    }),
  };
}

export type ProjectionMetrics = ReturnType<typeof projectionMetrics>;

/** A scrape must not fail because the database is away (or not migrated yet): keep the last value. */
async function scrape<R>(query: () => Promise<R>): Promise<R | undefined> {
  try {
    return await query();
  } catch {
    return undefined;
  }
}
