/**
 * The pool master's write side for in-process suites: a command service over the leader per
 * pool, an event store and a NATS connection of the suite's own (its own database and subject
 * root; no relay). `WriteSide` is a global Nest module providing them the way the app's
 * write-side module does, so a suite imports it beside the transport it tests.
 */
import { Global, Module, type Type } from '@nestjs/common';
import { PostgresEventStore } from '@pool/event-store';
import { NatsClient } from '@pool/platform';
import { CommandService } from '../../../apps/pool-master/src/commands/command-service.js';
import { poolDomainModel } from '../../../apps/pool-master/src/commands/pool-domain-model.js';
import { PoolLeadership } from '../../../apps/pool-master/src/commands/pool-leadership.js';
import { ConvergenceTracker } from '../../../apps/pool-master/src/convergence/convergence-tracker.js';
import { createTestEventStore } from '../../support/event-store.js';
import { createTestNats } from '../../support/nats.js';

export async function bootWriteSide(replicaId: string) {
  const es = await createTestEventStore();
  const nats = await createTestNats();
  const leadership = new PoolLeadership({
    connectionString: es.url,
    store: es.store,
    nc: nats.nc,
    subjectRoot: nats.root,
    model: poolDomainModel,
    replicaId,
  });
  const convergence = new ConvergenceTracker();
  const commands = new CommandService(leadership, convergence, {
    nc: nats.nc,
    subjectRoot: nats.root,
  });

  @Global()
  @Module({
    providers: [
      { provide: CommandService, useValue: commands },
      { provide: PostgresEventStore, useValue: es.store },
      { provide: NatsClient, useValue: { connection: nats.nc } },
    ],
    exports: [CommandService, PostgresEventStore, NatsClient],
  })
  class WriteSide {}

  return {
    es,
    nats,
    convergence,
    WriteSide: WriteSide as Type,
    close: async () => {
      await leadership.close();
      await nats.close();
      await es.close();
    },
  };
}
