/** NATS subject names and JetStream stream names shared by every service (DESIGN §4). */
export const DEFAULT_SUBJECT_ROOT = 'poolnet';
export const EVENTS_STREAM = 'POOLNET_EVENTS';
export const REPORTS_STREAM = 'POOLNET_REPORTS';

export const subjects = (root = DEFAULT_SUBJECT_ROOT) => ({
  events: (poolId: string) => `${root}.${poolId}.events`,
  allEvents: `${root}.*.events`,
  command: (poolId: string, name: string) => `${root}.${poolId}.cmd.${name}`,
  /** Commands a replica forwards to the pool's leader; only masters may publish here. */
  leader: (poolId: string) => `${root}.${poolId}.leader`,
  reports: (poolId: string, hostId: string) => `${root}.${poolId}.hosts.${hostId}.reports`,
  allReports: `${root}.*.hosts.*.reports`,
  snapshot: (poolId: string) => `${root}.${poolId}.snapshot`,
});

/** Subscribed by every master replica (one queue group per root); the root is checked inside. */
export const COMMAND_PATTERN = '*.*.cmd.*';

export const parseCommandSubject = (
  subject: string,
): { root: string; pool: string; name: string } | undefined => {
  const [root, pool, cmd, name, ...rest] = subject.split('.');
  if (!root || !pool || cmd !== 'cmd' || !name || rest.length) return undefined;
  return { root, pool, name };
};
