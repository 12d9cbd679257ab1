import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  LOG_ID_HEADER,
  POOL_STREAM_PREFIX,
  poolStreamId,
  subjects,
  type EventEnvelope,
} from '@pool/contracts';
import {
  createEventStorePool,
  PostgresEventStore,
  readLogId,
  streamVersionsWithPrefix,
} from '@pool/event-store';
import { natsAuthOptions, natsCredentialsOf } from '@pool/platform';
import { type PoolMasterConfig } from '../config/pool-master.config.js';
import { planTail, toAppend, type TailMessage, type TailPlan } from './stream-tail.js';

/*
 * `node dist/apps/pool-master/src/main.js recover-from-stream [--pool <id>] [--apply]`: after a
 * restore from a physical backup, appends back to the log what the relay had published after
 * the backup (README, Operations, "Restore from a backup"). A dry run by default; prints one
 * JSON document and returns the exit code (0 done or nothing to do, 1 something refused).
 * Run it with the masters stopped.
 */

export interface RecoverArgs {
  pool?: string;
  apply: boolean;
}

export function parseRecoverArgs(argv: readonly string[]): RecoverArgs {
  const args: RecoverArgs = { apply: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--apply') args.apply = true;
    else if (arg === '--pool' && argv[i + 1]) args.pool = argv[++i];
    else throw new Error(`unknown argument "${String(arg)}" (expected --pool <id> and --apply)`);
  }
  return args;
}

interface PoolReport {
  pool: string;
  logHead: number;
  streamHead: number;
  recoverable: number;
  refused?: string;
  otherLogMessages: number;
  undecodableMessages: number;
  /** With --apply: the log's head after the append. */
  appliedTo?: number;
}

export async function recoverFromStreamCommand(
  config: PoolMasterConfig,
  args: RecoverArgs,
): Promise<number> {
  const started = performance.now();
  const db = createEventStorePool({
    connectionString: config.databaseUrl,
    applicationName: 'poolnet-recover-from-stream',
    max: 2,
    statementTimeoutMs: 300_000,
  });
  const store = new PostgresEventStore(db, { notifyChannel: false });
  let nc: NatsConnection | undefined;
  try {
    nc = await connect({
      servers: config.natsUrl.split(','),
      name: 'poolnet-recover-from-stream',
      ...natsAuthOptions(natsCredentialsOf(config)),
    });
    const logId = await readLogId(db);
    const names = subjects(config.subjectRoot);
    const inLog = await streamVersionsWithPrefix(db, POOL_STREAM_PREFIX);
    const pools = args.pool
      ? [args.pool]
      : [
          ...new Set([
            ...[...inLog.keys()].map((id) => id.slice(POOL_STREAM_PREFIX.length)),
            ...(await poolsInStream(nc, config.eventsStream, config.subjectRoot)),
          ]),
        ].sort();
    const js = jetstream(nc);
    const plans: { plan: TailPlan; lastSeq: number }[] = [];
    for (const pool of pools) {
      const version = await store.streamVersion(poolStreamId(pool));
      const [atHead] = version > 0 ? await store.readStream(poolStreamId(pool), version, 1) : [];
      const messages = await readSubject(js, config.eventsStream, names.events(pool), pool);
      const plan = planTail(pool, logId, { version, eventId: atHead?.eventId }, messages);
      plans.push({ plan, lastSeq: lastSeqOf(messages, plan) });
    }
    const refused = plans.filter(({ plan }) => plan.refused);
    const reports: PoolReport[] = plans.map(({ plan }) => toReport(plan));
    let recovered = 0;
    if (args.apply && refused.length === 0) {
      // In the stream's order, so the log ends with the event the stream ends with.
      const order = [...plans].sort((a, b) => a.lastSeq - b.lastSeq);
      for (const { plan } of order) {
        if (plan.events.length === 0) continue;
        const { events, commands } = toAppend(plan.events);
        const result = await store.appendRequest({
          streamId: poolStreamId(plan.pool),
          events,
          // A write since the plan was read (a master left running) fails this cleanly.
          expectedVersion: plan.logHead,
          commands,
        });
        reports.find((r) => r.pool === plan.pool)!.appliedTo = result.nextExpectedVersion;
        recovered += events.length;
      }
    }
    print({
      logId,
      mode: args.apply ? 'apply' : 'dry-run',
      pools: reports,
      recoverable: plans.reduce((n, { plan }) => n + plan.events.length, 0),
      recovered,
      ...(args.apply && refused.length > 0
        ? { note: 'nothing applied: a pool was refused (give --pool to recover the others)' }
        : {}),
      ms: Math.round(performance.now() - started),
    });
    return refused.length > 0 ? 1 : 0;
  } finally {
    await nc?.close();
    await db.end();
  }
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

function toReport(plan: TailPlan): PoolReport {
  return {
    pool: plan.pool,
    logHead: plan.logHead,
    streamHead: plan.streamHead,
    recoverable: plan.events.length,
    ...(plan.refused ? { refused: `${plan.refused.reason}: ${plan.refused.detail}` } : {}),
    otherLogMessages: plan.otherLogMessages,
    undecodableMessages: plan.undecodableMessages,
  };
}

/** The stream sequence of the last message of the plan's tail (0 when there is none). */
function lastSeqOf(messages: readonly TailMessage[], plan: TailPlan): number {
  const last = plan.events[plan.events.length - 1];
  if (!last) return 0;
  return Math.max(0, ...messages.filter((m) => m.envelope?.id === last.id).map((m) => m.seq));
}

/** The pools with messages in the events stream (its `<root>.<pool>.events` subjects). */
async function poolsInStream(nc: NatsConnection, stream: string, root: string): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream, { subjects_filter: subjects(root).allEvents });
  return Object.keys(info.state.subjects ?? {}).map((subject) => subject.split('.')[1]!);
}

/** Every message of `subject` in the stream, in order, read by an ordered consumer. */
async function readSubject(
  js: JetStreamClient,
  stream: string,
  subject: string,
  pool: string,
): Promise<TailMessage[]> {
  const consumer = await js.consumers.get(stream, { filter_subjects: subject });
  const out: TailMessage[] = [];
  try {
    if ((await consumer.info(true)).num_pending === 0) return out;
    const messages = await consumer.consume({ max_messages: 1000 });
    for await (const m of messages) {
      out.push({
        seq: m.seq,
        logId: m.headers?.get(LOG_ID_HEADER) || undefined,
        ...decode(m.data, pool),
      });
      if (m.info.pending === 0) break;
    }
    messages.stop();
    return out;
  } finally {
    await consumer.delete().catch(() => undefined);
  }
}

/** The relay's envelope (relay.service.ts `toEnvelope`), or why the payload is not one. */
function decode(data: Uint8Array, pool: string): { envelope?: EventEnvelope; problem?: string } {
  let e: Partial<EventEnvelope> | null;
  try {
    e = JSON.parse(new TextDecoder().decode(data)) as Partial<EventEnvelope> | null;
  } catch {
    return { problem: 'not JSON' };
  }
  if (typeof e !== 'object' || e === null) return { problem: 'not an object' };
  if (e.pool !== pool) return { problem: `event of pool ${String(e.pool)}` };
  if (typeof e.id !== 'string' || !Number.isSafeInteger(e.version) || (e.version ?? 0) < 1) {
    return { problem: 'bad id or version' };
  }
  if (typeof e.type !== 'string' || !Number.isInteger(e.schemaVersion)) {
    return { problem: 'bad type or schema version' };
  }
  return { envelope: { ...e, metadata: e.metadata ?? {} } as EventEnvelope };
}
