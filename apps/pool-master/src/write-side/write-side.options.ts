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
  /** JetStream copies of the events and reports streams (EVENTS_REPLICAS, REPORTS_REPLICAS). */
  eventsReplicas: number;
  reportsReplicas: number;
  defaultWaitTimeoutMs: number;
}

export const WRITE_SIDE_OPTIONS = Symbol('WRITE_SIDE_OPTIONS');
