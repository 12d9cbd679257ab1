/**
 * The whole of poolnet as processes, on infrastructure of its own: a nats-server and a
 * PostgreSQL cluster the harness may kill and restart, the migrations applied, two pool-master
 * replicas, the projection, and member hosts (memory datapath, a state dir each) started per
 * pool. Built apps run from `dist/` (`npm run build` first).
 */
import { TcpRelay } from '@pool/platform';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { pgConnection } from '@pool/event-store';
import { runMigrations } from '../../../migrations/data-source.js';
import { clockPreload } from './clock-skew.js';
import {
  childrenOf,
  freePort,
  LocalProcess,
  pssKb,
  repoRoot,
  rssKb,
  sleep,
  waitForHealth,
} from './local-process.js';
import { NatsCluster } from './nats-cluster.js';
import { NatsServer } from './nats-server.js';
import { PostgresCluster } from './postgres-cluster.js';

export const SUBJECT_ROOT = 'faults';
export const EVENTS_STREAM = 'POOLNET_EVENTS';
export const REPORTS_STREAM = 'POOLNET_REPORTS';

/**
 * Where the built apps are: `dist/`, or POOLNET_DIST_DIR (a build of one's own, when other
 * builds may rewrite `dist/` while the suite runs).
 */
export const distDir = (): string => process.env.POOLNET_DIST_DIR ?? path.join(repoRoot(), 'dist');

/** One app process that can be killed and started again on the same port and env. */
export class App {
  process: LocalProcess;

  constructor(
    readonly name: string,
    private readonly app: 'pool-master' | 'member-host' | 'projection',
    readonly port: number,
    private readonly env: () => Record<string, string>,
    /** Health statuses that count as up (a member host without its master answers 503). */
    private readonly healthy: number[] = [200],
  ) {
    this.process = this.spawn();
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.process.alive;
  }

  get pid(): number {
    return this.process.pid;
  }

  async ready(timeoutMs = 60_000): Promise<void> {
    await waitForHealth(this.base, this.process, timeoutMs, this.healthy);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.process.signal(signal);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.process.stop(signal);
  }

  /** Starts it again (after a kill or a stop) and waits until it answers /health. */
  async restart(): Promise<void> {
    await this.process.stop('SIGKILL');
    this.process = this.spawn();
    await this.ready();
  }

  private spawn(): LocalProcess {
    const main = path.join(distDir(), 'apps', this.app, 'src', 'main.js');
    return LocalProcess.spawn(this.name, process.execPath, [main], {
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(this.port),
      ...this.env(),
    });
  }
}

/** A member host, with what a fault needs to reach it. */
export interface MemberHost {
  name: string;
  pool: string;
  app: App;
  stateDir: string;
  /** Its own way to NATS (one proxy per server): cut it to partition this host alone. */
  proxy: ProxyGroup;
  /** Writes the host's clock offset (ms) and tells it to read it (SIGUSR2). */
  jumpClock(offsetMs: number): Promise<void>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- /status is read field by field
  status(): Promise<any>;
}

export interface StackOptions {
  masters?: number;
  projection?: boolean;
  /**
   * A JetStream cluster of this many nats-servers instead of one, with the events and reports
   * streams replicated on all of them (EVENTS_REPLICAS / REPORTS_REPLICAS).
   */
  natsCluster?: 3 | 5;
  /**
   * A synchronous standby beside the primary (pg_basebackup), and every app given both in a
   * multi-host DATABASE_URL: a scenario can kill the primary and promote the standby.
   */
  postgresStandby?: boolean;
}

/** A host's proxies, one to each NATS server, cut and healed together. */
export class ProxyGroup {
  private constructor(private readonly proxies: TcpRelay[]) {}

  static async start(ports: number[]): Promise<ProxyGroup> {
    return new ProxyGroup(await Promise.all(ports.map((port) => TcpRelay.start(port))));
  }

  get url(): string {
    return this.proxies.map((p) => p.url).join(',');
  }

  cut(): void {
    for (const p of this.proxies) p.cut();
  }

  heal(): void {
    for (const p of this.proxies) p.heal();
  }

  async close(): Promise<void> {
    await Promise.all(this.proxies.map((p) => p.close()));
  }
}

export class FaultStack {
  readonly masters: App[] = [];
  projection: App | undefined;
  readonly hosts: MemberHost[] = [];

  private constructor(
    /** The one nats-server, or every node of the cluster. */
    readonly natsNodes: NatsServer[],
    readonly cluster: NatsCluster | undefined,
    readonly postgres: PostgresCluster,
    readonly standby: PostgresCluster | undefined,
    /** What every app is given: the primary's URL, or both servers' for a standby. */
    readonly databaseUrl: string,
    /** The harness's own connections, for commands, checks and injected messages. */
    readonly nc: NatsConnection,
    readonly sql: pg.Pool,
    private readonly dir: string,
  ) {}

  static async start(options: StackOptions = {}): Promise<FaultStack> {
    const [nats, postgres] = await Promise.all([
      options.natsCluster ? NatsCluster.start(options.natsCluster) : NatsServer.start(),
      options.postgresStandby ? PostgresCluster.startPrimary() : PostgresCluster.start(),
    ]);
    const standby = options.postgresStandby ? await PostgresCluster.standbyOf(postgres) : undefined;
    const databaseUrl = standby
      ? `postgres://postgres@127.0.0.1:${postgres.port},127.0.0.1:${standby.port}/postgres`
      : postgres.url;
    const cluster = nats instanceof NatsCluster ? nats : undefined;
    const natsNodes = nats instanceof NatsCluster ? nats.nodes : [nats];
    const natsUrl = natsNodes.map((n) => n.url).join(',');
    const replicas = String(options.natsCluster ?? 1);
    await runMigrations(databaseUrl);
    const nc = await connect({
      servers: natsUrl.split(','),
      name: 'fault-harness',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 200,
    });
    const sql = new pg.Pool({ ...pgConnection(databaseUrl), max: 4 });
    sql.on('error', () => undefined); // a PostgreSQL restart kills idle clients
    const dir = await mkdtemp(path.join(tmpdir(), 'poolnet-faults-'));
    const stack = new FaultStack(natsNodes, cluster, postgres, standby, databaseUrl, nc, sql, dir);
    for (let i = 1; i <= (options.masters ?? 2); i++) {
      stack.masters.push(
        new App(`pool-master-${i}`, 'pool-master', await freePort(), () => ({
          DATABASE_URL: databaseUrl,
          NATS_URL: natsUrl,
          SUBJECT_ROOT,
          EVENTS_STREAM,
          REPORTS_STREAM,
          EVENTS_REPLICAS: replicas,
          REPORTS_REPLICAS: replicas,
          REPLICA_ID: `m${i}`,
          GRPC_URL: 'off',
        })),
      );
    }
    if (options.projection ?? true) {
      stack.projection = new App('projection', 'projection', await freePort(), () => ({
        DATABASE_URL: databaseUrl,
        NATS_URL: natsUrl,
        SUBJECT_ROOT,
        EVENTS_STREAM,
        REPORTS_STREAM,
        EVENTS_REPLICAS: replicas,
        REPORTS_REPLICAS: replicas,
      }));
    }
    await Promise.all(
      [...stack.masters, ...(stack.projection ? [stack.projection] : [])].map((a) => a.ready()),
    );
    return stack;
  }

  /** The nats-server of a single-server stack (the first node of a cluster). */
  get nats(): NatsServer {
    return this.natsNodes[0]!;
  }

  /** The live masters' REST bases. */
  masterBases(): string[] {
    return this.masters.filter((m) => m.alive).map((m) => m.base);
  }

  /** Starts a member host of `pool`; it joins the pool by itself once it follows it. */
  async startHost(
    pool: string,
    name: string,
    env: Record<string, string> = {},
  ): Promise<MemberHost> {
    const stateDir = path.join(this.dir, pool, name);
    await mkdir(stateDir, { recursive: true });
    const clockFile = path.join(stateDir, '..', `${name}.clock`);
    await writeFile(clockFile, '0');
    const preload = await clockPreload(this.dir);
    const proxy = await ProxyGroup.start(this.natsNodes.map((n) => n.port));
    const app = new App(
      `${pool}/${name}`,
      'member-host',
      await freePort(),
      () => ({
        NATS_URL: proxy.url,
        SUBJECT_ROOT,
        EVENTS_STREAM,
        REPORTS_STREAM,
        POOL_ID: pool,
        HOST_NAME: name,
        HOST_ADDRESS: `${name}.test`,
        STATE_DIR: stateDir,
        PIF_DEVICES: 'eth0,eth1',
        MANAGEMENT_DEVICE: 'eth0',
        TEST_HOOKS: 'true',
        REPORT_INTERVAL_MS: '1000',
        DRIFT_INTERVAL_MS: '5000',
        NODE_OPTIONS: `--import=${preload}`,
        POOLNET_CLOCK_FILE: clockFile,
        ...env,
      }),
      [200, 503],
    );
    const host: MemberHost = {
      name,
      pool,
      app,
      stateDir,
      proxy,
      jumpClock: async (offsetMs) => {
        await writeFile(clockFile, String(offsetMs));
        app.kill('SIGUSR2');
      },
      status: async () => {
        const response = await fetch(`${app.base}/status`, { signal: AbortSignal.timeout(5000) });
        return response.json();
      },
    };
    await app.ready();
    this.hosts.push(host);
    return host;
  }

  /** Stops a pool's hosts (SIGTERM), so the next scenario has the CPU. */
  async stopHosts(pool: string): Promise<void> {
    const mine = this.hosts.filter((h) => h.pool === pool);
    await Promise.all(
      mine.map(async (h) => {
        await h.app.stop();
        await h.proxy.close();
      }),
    );
    this.hosts.splice(0, this.hosts.length, ...this.hosts.filter((h) => h.pool !== pool));
  }

  /** The apps that died on their own, with the end of what they printed. */
  crashed(): string[] {
    const apps = [
      ...this.masters,
      ...(this.projection ? [this.projection] : []),
      ...this.hosts.map((h) => h.app),
    ];
    return apps
      .filter((a) => !a.alive)
      .map(
        (a) =>
          `${a.name} (exit ${a.process.child.exitCode ?? a.process.child.signalCode}): ${a.process.output().slice(-1500)}`,
      );
  }

  /** The resident memory of every process of the stack (PostgreSQL: all its processes). */
  async rss(): Promise<{ name: string; kb: number | undefined }[]> {
    const apps = [
      ...this.masters,
      ...(this.projection ? [this.projection] : []),
      ...this.hosts.map((h) => h.app),
    ];
    const rows = await Promise.all(
      apps.map(async (a) => ({ name: a.name, kb: a.alive ? await rssKb(a.pid) : undefined })),
    );
    const postmaster = await this.postgres.pid();
    const pgPids = postmaster ? [postmaster, ...(await childrenOf(postmaster))] : [];
    const pgKb = (await Promise.all(pgPids.map((pid) => pssKb(pid)))).reduce<number>(
      (sum, kb) => sum + (kb ?? 0),
      0,
    );
    const nats = await Promise.all(
      this.natsNodes.map(async (n) => ({
        name: n.name,
        kb: n.pid ? await rssKb(n.pid) : undefined,
      })),
    );
    return [
      ...rows,
      ...nats,
      // Proportional, not resident: each backend maps the same shared buffers.
      { name: 'postgres (PSS, all processes)', kb: pgPids.length ? pgKb : undefined },
    ];
  }

  async close(): Promise<void> {
    const apps = [
      ...this.hosts.map((h) => h.app),
      ...this.masters,
      ...(this.projection ? [this.projection] : []),
    ];
    await Promise.all(apps.map((a) => a.stop('SIGKILL')));
    await Promise.all(this.hosts.map((h) => h.proxy.close()));
    await this.nc.close().catch(() => undefined);
    await this.sql.end().catch(() => undefined);
    await (this.cluster ?? this.nats).close();
    await this.postgres.close();
    await this.standby?.close();
    await sleep(10);
    await rm(this.dir, { recursive: true, force: true });
  }
}
