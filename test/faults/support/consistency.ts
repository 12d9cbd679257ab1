/**
 * The consistency checks a fault scenario ends with, against the log in PostgreSQL as the one
 * truth: every acknowledged command is in the log exactly once with the versions it was told;
 * the events stream holds every version; every report a host sent carries the digest the model
 * computes from the log at the reported version; every host reaches the head.
 */
import { jetstream } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { type HostReport } from '@pool/contracts';
import { evolvePool, initialPoolState, upcastPoolEvent, type PoolState } from '@pool/domain';
import { hostDigest } from '@pool/pool-topology';
import { digestScheme } from '@pool/vswitch';
import type pg from 'pg';
import { type Ack } from './load-driver.js';
import { sleep } from './local-process.js';

export interface LoggedEvent {
  version: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  commandId: string | null;
}

export async function readLog(sql: pg.Pool, pool: string): Promise<LoggedEvent[]> {
  const { rows } = await sql.query<{
    v: string;
    id: string;
    type: string;
    sv: number;
    data: unknown;
    command: string | null;
  }>(
    `SELECT stream_version AS v, event_id AS id, event_type AS type, schema_version AS sv, data,
            metadata->>'commandId' AS command
       FROM es_events WHERE stream_id = $1 ORDER BY stream_version`,
    [`pool:${pool}`],
  );
  return rows.map((r) => ({
    version: Number(r.v),
    eventId: r.id,
    type: r.type,
    schemaVersion: r.sv,
    data: r.data,
    commandId: r.command,
  }));
}

export async function logHead(sql: pg.Pool, pool: string): Promise<number> {
  const { rows } = await sql.query<{ v: string | null }>(
    'SELECT max(stream_version) AS v FROM es_events WHERE stream_id = $1',
    [`pool:${pool}`],
  );
  return Number(rows[0]?.v ?? 0);
}

export interface LogVerdict {
  acknowledged: number;
  /** Rows of es_commands for the pool. */
  commandsInLog: number;
  eventsInLog: number;
  /** Acknowledged commands missing from the log, or not at the versions they were told. */
  lost: string[];
  /** Events beyond what their command wrote once (a command applied twice). */
  duplicateEffects: number;
  /** Versions out of 1..N order. */
  versionGaps: number;
  /** Commands the driver sent that are in the log but were never acknowledged to it. */
  unacknowledgedInLog: number;
  /** Commands in the log someone else sent (the setup, the migration coordinator). */
  othersInLog: number;
}

export async function checkLog(
  sql: pg.Pool,
  pool: string,
  acks: Ack[],
  /** Every command id the driver sent (acknowledged or not). */
  sent: ReadonlySet<string>,
): Promise<LogVerdict> {
  const events = await readLog(sql, pool);
  const { rows } = await sql.query<{ id: string; first: string; last: string }>(
    `SELECT command_id AS id, first_version AS first, last_version AS last
       FROM es_commands WHERE stream_id = $1`,
    [`pool:${pool}`],
  );
  const commands = new Map(
    rows.map((r) => [r.id, { first: Number(r.first), last: Number(r.last) }]),
  );
  const byVersion = new Map(events.map((e) => [e.version, e]));
  const lost: string[] = [];
  for (const ack of acks) {
    const row = commands.get(ack.commandId);
    const same = row && row.first === ack.firstVersion && row.last === ack.version;
    let written = same;
    for (let v = ack.firstVersion; written && v <= ack.version; v++) {
      written = byVersion.get(v)?.commandId === ack.commandId;
    }
    if (!written) lost.push(ack.commandId);
  }
  const perCommand = new Map<string, number>();
  for (const e of events) {
    if (e.commandId) perCommand.set(e.commandId, (perCommand.get(e.commandId) ?? 0) + 1);
  }
  let duplicateEffects = 0;
  for (const [id, count] of perCommand) {
    const row = commands.get(id);
    duplicateEffects += Math.max(0, count - (row ? row.last - row.first + 1 : 0));
  }
  const acked = new Set(acks.map((a) => a.commandId));
  return {
    acknowledged: acks.length,
    commandsInLog: commands.size,
    eventsInLog: events.length,
    lost,
    duplicateEffects,
    versionGaps: events.filter((e, i) => e.version !== i + 1).length,
    unacknowledgedInLog: [...commands.keys()].filter((id) => sent.has(id) && !acked.has(id)).length,
    othersInLog: [...commands.keys()].filter((id) => !sent.has(id)).length,
  };
}

/** Every message of one subject of a stream, in stream order. */
export async function readSubject(
  nc: NatsConnection,
  stream: string,
  subject: string,
): Promise<{ seq: number; data: Uint8Array }[]> {
  const consumer = await jetstream(nc).consumers.get(stream, { filter_subjects: subject });
  const total = (await consumer.info()).num_pending;
  const out: { seq: number; data: Uint8Array }[] = [];
  let emptyFetches = 0;
  while (out.length < total) {
    const batch = await consumer.fetch({
      max_messages: Math.min(1000, total - out.length),
      expires: 5000,
    });
    let got = 0;
    for await (const m of batch) {
      out.push({ seq: m.seq, data: m.data });
      got++;
    }
    // An empty fetch is not the end while messages are pending: in a cluster the consumer's
    // leader may be moving. Give up only after several in a row.
    emptyFetches = got === 0 ? emptyFetches + 1 : 0;
    if (emptyFetches >= 4) break;
  }
  return out;
}

export interface StreamVerdict {
  messages: number;
  /** Versions of the log the stream does not hold. */
  missing: number;
  /** The missing versions as ranges (`12-40, 77`), for a failure's message. */
  missingRanges: string;
  /** Messages carrying an event id seen before (the broker should have dropped them). */
  duplicates: number;
  /** Messages that are not one of the pool's events (injected by a scenario). */
  foreign: number;
}

export async function checkEventsStream(
  nc: NatsConnection,
  stream: string,
  subject: string,
  events: LoggedEvent[],
): Promise<StreamVerdict> {
  const messages = await readSubject(nc, stream, subject);
  const seen = new Set<string>();
  const versions = new Set<number>();
  let duplicates = 0;
  let foreign = 0;
  const logged = new Map(events.map((e) => [e.eventId, e.version]));
  for (const m of messages) {
    let id: string | undefined;
    try {
      id = (JSON.parse(new TextDecoder().decode(m.data)) as { id?: string }).id;
    } catch {
      id = undefined;
    }
    const version = id === undefined ? undefined : logged.get(id);
    if (version === undefined) {
      foreign++;
      continue;
    }
    if (seen.has(id!)) duplicates++;
    seen.add(id!);
    versions.add(version);
  }
  const missing = events.filter((e) => !versions.has(e.version)).map((e) => e.version);
  return {
    messages: messages.length,
    missing: missing.length,
    missingRanges: ranges(missing),
    duplicates,
    foreign,
  };
}

/** Sorted integers as ranges: [1, 2, 3, 7] → `1-3, 7`. */
function ranges(sorted: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** The pool's state folded from the log, asked in increasing versions. */
export class LogReplay {
  private state: PoolState = initialPoolState();
  private at = 0;

  constructor(private readonly events: LoggedEvent[]) {}

  /** The state at `version`; versions must not go down between calls. */
  stateAt(version: number): PoolState {
    if (version < this.at) throw new Error(`asked version ${version} after ${this.at}`);
    for (; this.at < version; this.at++) {
      const e = this.events[this.at]!;
      this.state = evolvePool(
        this.state,
        upcastPoolEvent({ type: e.type, schemaVersion: e.schemaVersion, data: e.data }),
      );
    }
    return this.state;
  }
}

/** Every report the pool's hosts published, oldest first. */
export async function readReports(
  nc: NatsConnection,
  stream: string,
  root: string,
  pool: string,
): Promise<HostReport[]> {
  const messages = await readSubject(nc, stream, `${root}.${pool}.hosts.*.reports`);
  return messages.map((m) => JSON.parse(new TextDecoder().decode(m.data)) as HostReport);
}

export interface ReportVerdict {
  checked: number;
  /**
   * Reports whose digest differs from the model's at their applied version: a different state
   * (`drift`), or a digest of another scheme (a host of another release: no verdict on its state).
   */
  mismatches: {
    host: string;
    version: number;
    reported: string;
    expected: string;
    reason: 'drift' | 'digest scheme differs';
  }[];
}

export function checkReports(reports: HostReport[], events: LoggedEvent[]): ReportVerdict {
  const sorted = reports
    .filter((r) => r.appliedVersion > 0)
    .sort((a, b) => a.appliedVersion - b.appliedVersion);
  const replay = new LogReplay(events);
  const cache = new Map<string, string>();
  const mismatches: ReportVerdict['mismatches'] = [];
  for (const r of sorted) {
    if (r.appliedVersion > events.length) {
      mismatches.push({
        host: r.host,
        version: r.appliedVersion,
        reported: r.digest,
        expected: '(beyond the log)',
        reason: 'drift',
      });
      continue;
    }
    const key = `${r.appliedVersion}/${r.host}`;
    let expected = cache.get(key);
    if (expected === undefined) {
      expected = hostDigest(replay.stateAt(r.appliedVersion), r.host);
      cache.set(key, expected);
    }
    if (expected !== r.digest) {
      const reason =
        digestScheme(r.digest) === digestScheme(expected) ? 'drift' : 'digest scheme differs';
      mismatches.push({
        host: r.host,
        version: r.appliedVersion,
        reported: r.digest,
        expected,
        reason,
      });
    }
  }
  return { checked: sorted.length, mismatches };
}

/**
 * Waits until every host is at the log's head with the model's digest for it, reading the log
 * again while others (the migration coordinator) may still append; returns the log then.
 */
export async function waitForHostsAtHead(
  sql: pg.Pool,
  pool: string,
  hosts: HostView[],
  timeoutMs: number,
): Promise<{ events: LoggedEvent[]; ms: number }> {
  const started = Date.now();
  for (;;) {
    const events = await readLog(sql, pool);
    const state = new LogReplay(events).stateAt(events.length);
    const digests = new Map(hosts.map((h) => [h.name, hostDigest(state, h.name)]));
    try {
      await waitForHosts(hosts, events.length, 0, digests, await heldAt(hosts, events));
      return { events, ms: Date.now() - started };
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
    }
    await sleep(200);
  }
}

/**
 * Hosts held at an earlier version after a network rollback: each must be exactly there, with
 * the digest the model computes for that version (what it holds), not at the head.
 */
async function heldAt(
  hosts: HostView[],
  events: LoggedEvent[],
): Promise<Map<string, { version: number; digest: string }>> {
  const held = new Map<string, { version: number; digest: string }>();
  for (const h of hosts) {
    const version = (await h.status().catch(() => ({})))?.held?.version as number | undefined;
    if (version === undefined) continue;
    const digest = hostDigest(new LogReplay(events).stateAt(version), h.name);
    held.set(h.name, { version, digest });
  }
  return held;
}

export interface HostView {
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- /status is read field by field
  status(): Promise<any>;
}

/**
 * Waits until every host reports (in /status) at least `version`; returns the milliseconds it
 * took. With `digests`, a host must also be exactly at that version with that digest.
 */
export async function waitForHosts(
  hosts: HostView[],
  version: number,
  timeoutMs: number,
  digests?: Map<string, string>,
  /** Hosts held at another version than `version` (network rollback), with its digest. */
  held?: Map<string, { version: number; digest: string }>,
): Promise<number> {
  const started = Date.now();
  const last = new Map<string, unknown>();
  for (;;) {
    const states = await Promise.all(
      hosts.map((h) =>
        h.status().then(
          (s) => ({
            host: h.name,
            applied: s.applied as { version: number; digest: string } | null,
            phase: s.phase as string,
            error: s.lastError as string | null,
          }),
          (error: unknown) => ({
            host: h.name,
            applied: null,
            phase: 'unreachable',
            error: String(error),
          }),
        ),
      ),
    );
    const done = states.every((s) => {
      const hold = held?.get(s.host);
      if (hold) return s.applied?.version === hold.version && s.applied.digest === hold.digest;
      return digests
        ? s.applied?.version === version && s.applied.digest === digests.get(s.host)
        : (s.applied?.version ?? 0) >= version;
    });
    if (done) return Date.now() - started;
    for (const s of states) last.set(s.host, s);
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `hosts did not reach version ${version} in ${timeoutMs} ms: ${JSON.stringify([...last.values()])}`,
      );
    }
    await sleep(50);
  }
}
