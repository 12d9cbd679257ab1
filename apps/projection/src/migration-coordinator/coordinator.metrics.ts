import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What an operator watches on the migration coordinator. */
export function coordinatorMetrics(registry: Registry) {
  const registers = [registry];
  return {
    migrations: new Counter({
      name: 'poolnet_migrations_total',
      help: 'Migrations that ended while this replica coordinated, by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    stepSeconds: new Histogram({
      name: 'poolnet_migration_step_seconds',
      help: 'Time from one migration event to the next: prepare, activate, complete, abort, total',
      labelNames: ['step'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    commands: new Counter({
      name: 'poolnet_migration_commands_total',
      help: 'Saga commands sent to the master, by command and result (ok, refused, failed)',
      labelNames: ['command', 'result'],
      registers,
    }),
    active: new Gauge({
      name: 'poolnet_migrations_active',
      help: 'Migrations in progress in the pools this replica coordinates',
      registers,
    }),
    leader: new Gauge({
      name: 'poolnet_migration_coordinator_leader',
      help: '1 while this replica runs the migration coordinator',
      registers,
    }),
  };
}

export type CoordinatorMetrics = ReturnType<typeof coordinatorMetrics>;
