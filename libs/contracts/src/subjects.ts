/** NATS subject names and JetStream stream names shared by every service (DESIGN §4). */
export const DEFAULT_SUBJECT_ROOT = 'poolnet';
export const EVENTS_STREAM = 'POOLNET_EVENTS';
export const REPORTS_STREAM = 'POOLNET_REPORTS';

export const subjects = (root = DEFAULT_SUBJECT_ROOT) => ({
  events: (poolId: string) => `${root}.${poolId}.events`,
  allEvents: `${root}.*.events`,
  command: (poolId: string, name: string) => `${root}.${poolId}.cmd.${name}`,
  reports: (poolId: string, hostId: string) => `${root}.${poolId}.hosts.${hostId}.reports`,
  allReports: `${root}.*.hosts.*.reports`,
  snapshot: (poolId: string) => `${root}.${poolId}.snapshot`,
});
