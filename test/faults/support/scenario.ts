/**
 * One fault scenario on a pool of its own: the pool and its member hosts, a steady load, a
 * forwarding sampler; then the fault (the test's), the time until everything caught up, and at
 * the end the full consistency check, printed as one block of figures.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  checkEventsStream,
  checkLog,
  checkReports,
  logHead,
  readReports,
  waitForHosts,
  type LoggedEvent,
  waitForHostsAtHead,
  type LogVerdict,
  type ReportVerdict,
  type StreamVerdict,
} from './consistency.js';
import {
  distDir,
  EVENTS_STREAM,
  REPORTS_STREAM,
  SUBJECT_ROOT,
  type FaultStack,
  type MemberHost,
} from './fault-stack.js';
import { ForwardingSampler, type DoubleForwarding } from './forwarding-sampler.js';
import { LoadDriver } from './load-driver.js';
import { repoRoot, sleep } from './local-process.js';

export interface ScenarioOptions {
  hosts?: number;
  workers?: number;
  thinkMs?: number;
  /**
   * Overlay networks (issue 19): every host declares a tunnel endpoint, the shared network is
   * an overlay, and so is each worker's own, so every VM's ports keep the tunnel meshes moving.
   */
  overlay?: boolean;
  /** More environment for one host (a fault hook, a shorter network watchdog). */
  hostEnv?: (host: string) => Record<string, string>;
}

export interface ScenarioResult {
  name: string;
  log: LogVerdict;
  stream: StreamVerdict;
  reports: ReportVerdict;
  /** Versions the slowest host was behind the head when the fault began (steady-state lag). */
  lagAtFault: number | undefined;
  /** Fault end → every host applied what the log held at the fault's end. */
  reconvergenceMs: number | undefined;
  /** Fault end → the first command sent after it was acknowledged. */
  commandPathBackMs: number | undefined;
  /** The final check: every host at the head with the model's digest. */
  headConvergedMs: number;
  head: number;
  retries: number;
  refusals: LoadDriver['refusals'];
  unanswered: number;
  /** VIFs seen forwarding on two hosts while the load ran. */
  overlaps: DoubleForwarding[];
  longestOverlapMs: number;
  /** Overlaps on hosts other than the source and target of a migration of the VIF's VM. */
  strayOverlaps: DoubleForwarding[];
  /** VIFs forwarding on two hosts once everything converged: never allowed. */
  atRestOverlaps: string[];
  samplerPasses: number;
  /** How the senders' migrations ended (driven by the projection's coordinator). */
  migrations: LoadDriver['migrations'];
  readModels: string;
  /** Processes of the stack found dead at the end (the scenario restarts what it kills). */
  crashed: string[];
}

/** The overlay network every VM has a VIF on in an overlay scenario. */
export const SHARED_OVERLAY = 'shared-ov';

export class Scenario {
  readonly load: LoadDriver;
  readonly sampler: ForwardingSampler;
  private faultEnd: number | undefined;
  private lagAtFault: number | undefined;
  private reconvergence: number | undefined;

  private constructor(
    readonly name: string,
    readonly stack: FaultStack,
    readonly pool: string,
    readonly hosts: MemberHost[],
    options: ScenarioOptions,
  ) {
    this.load = new LoadDriver({
      pool,
      hosts: hosts.map((h) => h.name),
      masters: () => stack.masterBases(),
      nc: stack.nc,
      subjectRoot: SUBJECT_ROOT,
      workers: options.workers ?? 4,
      // Sustainable on a loaded 2-core box: hosts keep up, so a reconvergence time measures
      // the fault and not an overload.
      thinkMs: options.thinkMs ?? 30,
      overlay: options.overlay ?? false,
      sharedNetwork: options.overlay ? SHARED_OVERLAY : 'shared',
    });
    this.sampler = new ForwardingSampler(() =>
      this.hosts.filter((h) => h.app.alive).map((h) => ({ name: h.name, base: h.app.base })),
    );
  }

  /** Creates the pool, starts its hosts (they join by themselves) and a shared network. */
  static async start(
    stack: FaultStack,
    name: string,
    options: ScenarioOptions = {},
  ): Promise<Scenario> {
    const pool = `${name.replace(/[^a-z0-9]+/g, '-').slice(0, 24)}-${randomBytes(3).toString('hex')}`;
    await command(stack, 'POST', '/pools', { poolId: pool, name });
    const names = Array.from({ length: options.hosts ?? 3 }, (_, i) => `h${i + 1}`);
    const hosts = await Promise.all(
      names.map((host) => stack.startHost(pool, host, options.hostEnv?.(host))),
    );
    await waitForMembers(stack, pool, names);
    await command(stack, 'POST', `/pools/${pool}/networks`, {
      networkId: 'shared',
      name: 'shared',
      purpose: 'vm',
      kind: 'external',
      device: 'eth1',
    });
    if (options.overlay) {
      for (const [i, host] of names.entries()) {
        await command(stack, 'PUT', `/pools/${pool}/hosts/${host}/tunnel-endpoint`, {
          device: 'eth0',
          address: `192.0.2.${i + 1}`,
        });
      }
      await command(stack, 'POST', `/pools/${pool}/networks`, {
        networkId: SHARED_OVERLAY,
        name: SHARED_OVERLAY,
        purpose: 'vm',
        kind: 'overlay',
      });
    }
    const scenario = new Scenario(name, stack, pool, hosts, options);
    scenario.sampler.start();
    scenario.load.start();
    return scenario;
  }

  /** Where every host and its consumers stand, and what they logged last: for failures. */
  async diagnose(): Promise<string> {
    const jsm = await jetstreamManager(this.stack.nc);
    const consumers = await jsm.consumers
      .list(EVENTS_STREAM)
      .next()
      .catch(() => []);
    const statuses = await Promise.all(
      this.hosts.map(async (h) => {
        const st = await h.status().catch((error: unknown) => ({ error: String(error) }));
        const { phase, version, seq, applied, stats, lastError } = st;
        return `${h.name}: ${JSON.stringify({ phase, version, seq, applied: applied?.version, stats, lastError })}`;
      }),
    );
    const stream = await jsm.streams.info(EVENTS_STREAM).catch(() => undefined);
    return [
      `head ${await this.head().catch(() => '?')}; stream first_seq ${stream?.state.first_seq} last_seq ${stream?.state.last_seq}`,
      ...statuses,
      ...consumers.map(
        (c) =>
          `consumer ${c.name}: filter ${c.config.filter_subject ?? c.config.filter_subjects?.join(',')}, delivered ${c.delivered.stream_seq}, ack floor ${c.ack_floor.stream_seq}, pending ${c.num_pending}, ack pending ${c.num_ack_pending}, waiting ${c.num_waiting}`,
      ),
      this.hostLogs(),
      `--- projection ---\n${this.stack.projection?.process.output().split('\n').slice(-15).join('\n') ?? ''}`,
    ].join('\n');
  }

  /** The last lines each host logged, for a failure's message. */
  hostLogs(lines = 25): string {
    return this.hosts
      .map(
        (h) =>
          `--- ${h.app.name} ---\n${h.app.process.output().split('\n').slice(-lines).join('\n')}`,
      )
      .join('\n');
  }

  /** How far the slowest host is behind the log's head now. */
  async lag(): Promise<number> {
    const [head, statuses] = await Promise.all([
      this.head(),
      Promise.all(this.hosts.map((h) => h.status().catch(() => ({ applied: null })))),
    ]);
    return head - Math.min(...statuses.map((st) => (st.applied?.version as number) ?? 0));
  }

  /** The log's head version now. */
  head(): Promise<number> {
    return logHead(this.stack.sql, this.pool);
  }

  /** Lets the load run for a while (or until `acks` more commands were acknowledged). */
  async run(ms: number, acks = 0): Promise<void> {
    const target = this.load.acknowledged + acks;
    const deadline = Date.now() + Math.max(ms, 0);
    while (Date.now() < deadline || this.load.acknowledged < target) {
      await sleep(50);
      if (Date.now() > deadline + 60_000)
        throw new Error(`fewer than ${acks} acks in ${ms} ms + 60 s`);
    }
  }

  /** Marks the start of the fault: how far behind the slowest host is then is printed. */
  async faultStarts(): Promise<void> {
    this.lagAtFault = await this.lag();
  }

  /**
   * Marks the end of the fault and waits until every host applied what the log held then; the
   * load keeps running meanwhile.
   */
  async faultEnded(timeoutMs = 60_000): Promise<number> {
    const at = Date.now();
    const head = await retry(() => this.head());
    this.faultEnd = at;
    const views = this.hosts.map((h) => ({ name: h.name, status: () => h.status() }));
    const waited = await waitForHosts(views, head, timeoutMs).catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${await this.diagnose()}`);
    });
    this.reconvergence = Date.now() - at;
    return waited;
  }

  /** Stops the load, waits for every host to reach the head, and checks everything. */
  async finish(timeoutMs = 60_000): Promise<ScenarioResult> {
    await this.load.stop();
    const views = this.hosts.map((h) => ({ name: h.name, status: () => h.status() }));
    const started = Date.now();
    let events: LoggedEvent[];
    let atRest: Map<string, string[]> | undefined;
    // Others (the migration coordinator) may still append: settle until the head stays put
    // for a report interval with every host on it.
    for (;;) {
      ({ events } = await retry(() =>
        waitForHostsAtHead(this.stack.sql, this.pool, views, timeoutMs),
      ).catch(async (error: unknown) => {
        throw new Error(`${String(error)}\n${await this.diagnose()}`);
      }));
      atRest = await this.sampler.sampleOnce();
      await sleep(1500); // one report interval, so the last reports are in the stream
      if ((await retry(() => this.head())) === events.length) break;
      if (Date.now() - started > timeoutMs) throw new Error('the log never stopped moving');
    }
    const headConvergedMs = Date.now() - started - 1500;
    const head = events.length;
    await this.sampler.stop();
    const [log, stream, reports] = await Promise.all([
      checkLog(this.stack.sql, this.pool, this.load.acks, this.load.sent),
      checkEventsStream(
        this.stack.nc,
        EVENTS_STREAM,
        `${SUBJECT_ROOT}.${this.pool}.events`,
        events,
      ),
      readReports(this.stack.nc, REPORTS_STREAM, SUBJECT_ROOT, this.pool).then((r) =>
        checkReports(r, events),
      ),
    ]);
    const back = this.faultEnd ? this.load.firstAckSentAfter(this.faultEnd) : undefined;
    return {
      name: this.name,
      log,
      stream,
      reports,
      lagAtFault: this.lagAtFault,
      reconvergenceMs: this.reconvergence,
      commandPathBackMs: back && this.faultEnd ? back.at - this.faultEnd : undefined,
      headConvergedMs,
      head,
      retries: this.load.retries,
      refusals: this.load.refusals,
      unanswered: this.load.unanswered.length,
      overlaps: this.sampler.overlaps,
      longestOverlapMs: this.sampler.longestMs,
      strayOverlaps: strayOverlaps(this.sampler.overlaps, events),
      atRestOverlaps: [...atRest].map(([vif, hosts]) => `${vif}@${hosts.join('+')}`),
      samplerPasses: this.sampler.passes,
      migrations: this.load.migrations,
      crashed: this.stack.crashed(),
      readModels: await verifyReadModels(this.stack).then((verdict) =>
        verdict.startsWith('DIFFERENT')
          ? `${verdict}\n--- projection log ---\n${this.stack.projection?.process.output().slice(-3000)}`
          : verdict,
      ),
    };
  }
}

/** The figures every scenario prints. */
export function describeResult(r: ScenarioResult, extra: Record<string, unknown> = {}): string {
  const ms = (v: number | undefined) => (v === undefined ? 'n/a' : `${(v / 1000).toFixed(2)} s`);
  const lines = [
    `fault scenario: ${r.name}`,
    `  commands acknowledged ${r.log.acknowledged}, commands in the log ${r.log.commandsInLog} (${r.log.eventsInLog} events, head ${r.head})`,
    `  events lost ${r.log.lost.length}, duplicate effects ${r.log.duplicateEffects}, version gaps ${r.log.versionGaps}, sent but never acknowledged yet in the log ${r.log.unacknowledgedInLog}, commands sent by others (setup, the test itself, the coordinator) ${r.log.othersInLog}`,
    `  slowest host behind the head when the fault began: ${r.lagAtFault ?? 'n/a'} versions; reconvergence after the fault ${ms(r.reconvergenceMs)}; first command after the fault acknowledged in ${ms(r.commandPathBackMs)}; hosts at the head after the load stopped in ${ms(r.headConvergedMs)}`,
    `  events stream: ${r.stream.messages} messages, ${r.stream.missing} versions missing, ${r.stream.duplicates} duplicates, ${r.stream.foreign} foreign`,
    `  host reports checked against the model ${r.reports.checked}, digest mismatches ${r.reports.mismatches.length}`,
    `  VIFs seen forwarding on two hosts during the load: ${r.overlaps.length} in ${r.samplerPasses} sampling passes, longest ${r.longestOverlapMs} ms${examples(r.overlaps)}; not between a migration's source and target: ${r.strayOverlaps.length}; at rest: ${r.atRestOverlaps.length}`,
    `  migrations by the coordinator: ${r.migrations.completed} completed, ${r.migrations.aborted} aborted, ${r.migrations.givenUp} given up by the driver`,
    `  retries ${r.retries}, refusals ${r.refusals.length}, given up ${r.unanswered}`,
    `  read models: ${r.readModels}`,
    `  processes found dead: ${r.crashed.length ? r.crashed.join('; ') : 'none'}`,
    ...Object.entries(extra).map(
      ([k, v]) => `  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`,
    ),
  ];
  return lines.join('\n');
}

/** Overlaps that are not a migration's hand-over between its source and target hosts. */
function strayOverlaps(overlaps: DoubleForwarding[], events: LoggedEvent[]): DoubleForwarding[] {
  const vmOf = new Map<string, string>();
  const moves = new Map<string, Set<string>>();
  for (const e of events) {
    const d = e.data as { vifId?: string; vmId?: string; fromHostId?: string; toHostId?: string };
    if (e.type === 'VifCreated') vmOf.set(d.vifId!, d.vmId!);
    if (e.type === 'MigrationRequested') {
      const set = moves.get(d.vmId!) ?? new Set<string>();
      set.add([d.fromHostId, d.toHostId].sort().join('+'));
      moves.set(d.vmId!, set);
    }
  }
  return overlaps.filter(
    (o) => !moves.get(vmOf.get(o.vif) ?? '')?.has([...o.hosts].sort().join('+')),
  );
}

const examples = (overlaps: DoubleForwarding[]) =>
  overlaps.length === 0
    ? ''
    : ` (${overlaps
        .slice(0, 4)
        .map((o) => `${o.vif} on ${o.hosts.join('+')} in ${o.passes} passes`)
        .join(', ')})`;

/** A REST command to any live master, retried until answered (setup only). */
export async function command(
  stack: FaultStack,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const key = randomBytes(12).toString('hex');
  const deadline = Date.now() + 60_000;
  for (let attempt = 0; ; attempt++) {
    const bases = stack.masterBases();
    try {
      const response = await fetch(`${bases[attempt % bases.length]}${path}`, {
        method,
        headers: {
          'Idempotency-Key': key,
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(10_000),
      });
      const json: unknown = await response.json();
      if (response.ok) return json;
      if (response.status < 500) throw new Refused(`${method} ${path}: ${JSON.stringify(json)}`);
    } catch (error) {
      if (error instanceof Refused) throw error;
    }
    if (Date.now() > deadline) throw new Error(`${method} ${path} never answered`);
    await sleep(200);
  }
}

class Refused extends Error {}

async function waitForMembers(stack: FaultStack, pool: string, hosts: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { rows } = await stack.sql.query<{ host: string }>(
      `SELECT data->>'hostId' AS host FROM es_events WHERE stream_id = $1 AND event_type = 'HostJoined'`,
      [`pool:${pool}`],
    );
    const joined = new Set(rows.map((r) => r.host));
    if (hosts.every((h) => joined.has(h))) return;
    if (Date.now() > deadline)
      throw new Error(`hosts ${hosts.join(', ')} did not all join ${pool}`);
    await sleep(100);
  }
}

/** Retries a read the harness needs while PostgreSQL may be coming back. */
export async function retry<T>(read: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

/**
 * The projection's own check, when it is there (helper A's `verifyReadModels`): its tables
 * equal a rebuild from the whole log. Until it lands, the check is reported as pending.
 */
async function verifyReadModels(stack: FaultStack): Promise<string> {
  const module = 'apps/projection/src/read-models/verify-read-models';
  // The source under vitest, the build under plain Node (the soak bench).
  const candidates = [path.join(repoRoot(), `${module}.ts`), path.join(distDir(), `${module}.js`)];
  const file = candidates.find((f) => existsSync(f));
  if (!file) return `pending: ${module}.ts does not exist yet`;
  type Verify = (
    db: string,
    o: { catchUpTimeoutMs: number },
  ) => Promise<{ equal: boolean; behind: number; differenceCount: number; differences: unknown[] }>;
  let verify: Verify | undefined;
  for (const candidate of candidates.filter((f) => existsSync(f))) {
    verify = await import(candidate).then(
      (m: { verifyReadModels?: Verify }) => m.verifyReadModels,
      () => undefined,
    );
    if (verify) break;
  }
  if (!verify) return 'pending: verifyReadModels could not be loaded';
  try {
    const result = await verify(stack.databaseUrl, { catchUpTimeoutMs: 30_000 });
    return result.equal
      ? 'equal to a rebuild from the log'
      : `DIFFERENT from a rebuild: ${result.differenceCount} differences, ${result.behind} events behind; first: ${JSON.stringify(result.differences.slice(0, 3))}`;
  } catch (error) {
    return `pending: the read models could not be verified (${String(error).slice(0, 300)})`;
  }
}
