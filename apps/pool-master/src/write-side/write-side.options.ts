/** What the write side needs from the pool master's config. */
export interface WriteSideOptions {
  databaseUrl: string;
  subjectRoot: string;
  eventsStream: string;
  reportsStream: string;
  replicaId: string;
  snapshotEvery: number;
  /** Run the relay here (one is elected among the replicas that do). */
  relay: boolean;
  eventsMaxAgeMs: number;
  defaultWaitTimeoutMs: number;
}

export const WRITE_SIDE_OPTIONS = Symbol('WRITE_SIDE_OPTIONS');
