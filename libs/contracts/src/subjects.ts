/** NATS subject names and JetStream stream names shared by every service (DESIGN §4). */
export const DEFAULT_SUBJECT_ROOT = 'poolnet';
export const EVENTS_STREAM = 'POOLNET_EVENTS';
export const REPORTS_STREAM = 'POOLNET_REPORTS';

/**
 * Who sends a command over NATS, as its subject says: a role (admin, operator, read-only, as
 * REST's tokens) and a NATS user name. The master takes both from the subject and trusts them
 * because the NATS server lets each user publish only under its own role and name
 * (deploy/nats/nats.conf); a server without users vouches for nobody.
 */
export interface NatsSender {
  role: string;
  user: string;
}

/**
 * The subject role of a member host speaking for its hypervisor (the libvirt hook goes through
 * it) or for itself (its network watchdog's rollback):
 * `<root>.<pool>.cmd.host.<host>.<CommandType>`, for the commands in HOST_COMMAND_HOST_FIELD
 * only, each about the sending host (the master checks the field it names).
 */
export const HOST_SENDER_ROLE = 'host';

/** What a host may send about itself, and the field that must name it. */
export const HOST_COMMAND_HOST_FIELD = {
  StartVm: 'hostId',
  StopVm: 'hostId',
  RequestMigration: 'toHostId',
  RecordNetworkRollback: 'hostId',
} as const;

/** A user name that fits one subject token (no '.', wildcard or space), as a HOST_NAME must. */
export const NATS_SENDER_USER = /^[A-Za-z0-9_-]{1,64}$/;

export const subjects = (root = DEFAULT_SUBJECT_ROOT) => ({
  events: (poolId: string) => `${root}.${poolId}.events`,
  allEvents: `${root}.*.events`,
  /** `<root>.<pool>.cmd.<role>.<user>.<CommandType>` */
  command: (poolId: string, name: string, sender: NatsSender) =>
    `${root}.${poolId}.cmd.${sender.role}.${sender.user}.${name}`,
  /** Every command subject; the masters answer them in one queue group. */
  allCommands: `${root}.*.cmd.*.*.*`,
  /** The shape before senders were named (`<root>.<pool>.cmd.<CommandType>`), refused. */
  unsignedCommands: `${root}.*.cmd.*`,
  /** Commands a replica forwards to the pool's leader; only masters may publish here. */
  leader: (poolId: string) => `${root}.${poolId}.leader`,
  reports: (poolId: string, hostId: string) => `${root}.${poolId}.hosts.${hostId}.reports`,
  allReports: `${root}.*.hosts.*.reports`,
  snapshot: (poolId: string) => `${root}.${poolId}.snapshot`,
  /** Pool-master replicas' own traffic (membership, handovers); only masters may use it. */
  masters: `${root}._masters.>`,
  /** Each replica's heartbeat (`MasterHeartbeat`): who is up, and how many pools each leads. */
  masterHeartbeat: `${root}._masters.heartbeat`,
  /** Asks one replica to take a pool over (`TakePoolRequest` → `TakePoolReply`). */
  takePool: (replicaId: string) => `${root}._masters.${subjectToken(replicaId)}.take`,
  /** Reads of the pool's past (`state`, `diff`): request-reply, answered by every replica. */
  history: (poolId: string, read: 'state' | 'diff') => `${root}.${poolId}.history.${read}`,
});

/** A replica id (a host name may hold dots) as one subject token. */
const subjectToken = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, '_');

export const parseCommandSubject = (
  subject: string,
): { root: string; pool: string; sender: NatsSender; name: string } | undefined => {
  const [root, pool, cmd, role, user, name, ...rest] = subject.split('.');
  if (!root || !pool || cmd !== 'cmd' || !role || !user || !name || rest.length) return undefined;
  return { root, pool, sender: { role, user }, name };
};
