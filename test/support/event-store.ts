import {
  createEventStorePool,
  PostgresEventStore,
  type EventStoreOptions,
} from '@pool/event-store';
import { createTestDatabase } from './databases.js';

/** A migrated database of the suite's own and an event store over it. */
export async function createTestEventStore(options: EventStoreOptions & { max?: number } = {}) {
  const database = await createTestDatabase();
  const pool = createEventStorePool({ connectionString: database.url, max: options.max ?? 10 });
  const store = new PostgresEventStore(pool, options);
  return {
    store,
    pool,
    url: database.url,
    close: async () => {
      await pool.end();
      await database.drop();
    },
  };
}
