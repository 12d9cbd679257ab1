import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { portName } from '@pool/vswitch';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { run } from '../../../libs/vswitch/src/drivers/ovs/exec.js';
import { type NetnsLab } from '../../../libs/vswitch/src/testing/netns-lab.js';
import { runMigrations } from '../../../migrations/data-source.js';
import { AppProcesses, freePort, healthy, waitFor } from '../apps.js';
import { createScratchDatabase, type ScratchDatabase } from '../database.js';
import { jsonClient } from '../http-client.js';
import { pidsFromFiles } from './pids.js';
import { parseFlowDump, type Part, type PeerSystem, type ProcessGroups } from './peer-system.js';

/**
 * poolnet as its users run it: one pool master (REST, gRPC off) over a scratch database and
 * streams of its own on the shared NATS, and N member hosts (DRIVER=ovs), each on a lab host (a
 * network namespace with its own userspace Open vSwitch and one NIC into the lab's physical
 * switch). One VLAN network, one running VM per host with one VIF on it (port security off).
 */

const POOL = 'peer';
const NETWORK = 'n10';
const WAIT = 'wait=hosts&timeoutMs=120000';
const mac = (i: number) =>
  `02:00:00:bb:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
const ipv4 = (i: number) => `10.10.${Math.floor(i / 250)}.${(i % 250) + 1}`;
const RULE = {
  scope: { kind: 'network', networkId: NETWORK },
  direction: 'to-vm',
  priority: 1000,
  match: { protocol: 'tcp', portFrom: 22, portTo: 22 },
  action: 'drop',
};

export class PoolnetSide implements PeerSystem {
  readonly name = 'poolnet';
  readonly hypervisorRoles = ['member-host', 'ovs-vswitchd', 'ovsdb-server'];
  readonly sharedRoles = ['nats-server (shared)'];
  readonly calls: Record<Part, string> = {
    acl: `\`POST /pools/${POOL}/acls?wait=hosts\` (network scope, to-vm, tcp/22, drop), then \`DELETE\` of it`,
    'port-security': `\`PATCH /pools/${POOL}/vms/v1/vifs/v1-0?wait=hosts\` \`{portSecurity: true}\`, then \`false\``,
    commit: 'the `acl` change without `?wait=hosts` (committed to the log)',
    floor: '`GET /health` (keep-alive connection)',
  };
  private readonly apps = new AppProcesses();
  private readonly suffix = Math.random().toString(16).slice(2, 8);
  private readonly streams = [`PEER_EVENTS_${this.suffix}`, `PEER_REPORTS_${this.suffix}`];
  private database?: ScratchDatabase;
  private http?: ReturnType<typeof jsonClient>;
  private hostBases: string[] = [];
  private lastVersion = 0;
  private rules = 0;

  constructor(
    private readonly lab: NetnsLab,
    private readonly root: string,
    readonly hypervisors: number,
    private readonly servers: { databaseUrl: string; natsUrl: string },
  ) {}

  /** Until every host joined and runs its VM; stop() undoes a part start. */
  async start(): Promise<void> {
    this.database = await createScratchDatabase(this.servers.databaseUrl);
    await runMigrations(this.database.url);
    const common = {
      NATS_URL: this.servers.natsUrl,
      SUBJECT_ROOT: `peer${this.suffix}`,
      EVENTS_STREAM: this.streams[0]!,
      REPORTS_STREAM: this.streams[1]!,
    };
    const port = await freePort();
    const master = this.apps.spawn('pool-master', {
      ...common,
      DATABASE_URL: this.database.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      GRPC_URL: 'off',
    });
    await healthy(`http://127.0.0.1:${port}`, master);
    this.http = jsonClient(`http://127.0.0.1:${port}`, 4);
    await this.rest('POST', '/pools', { poolId: POOL, name: 'ovn peer bench' });
    for (let i = 1; i <= this.hypervisors; i++) {
      const host = await this.lab.addHost(`h${i}`, ['eth0']);
      const hostPort = await freePort();
      const child = this.apps.spawn('member-host', {
        ...common,
        POOL_ID: POOL,
        HOST_NAME: `h${i}`,
        HOST_ADDRESS: `h${i}.peer`,
        PORT: String(hostPort),
        HOST: '127.0.0.1',
        STATE_DIR: join(this.root, `h${i}-state`),
        DRIVER: 'ovs',
        OVS_RUN_DIR: host.runDir,
        NETNS: host.netns,
        PIF_DEVICES: 'eth0',
      });
      this.hostBases.push(`http://127.0.0.1:${hostPort}`);
      await healthy(`http://127.0.0.1:${hostPort}`, child);
    }
    for (const base of this.hostBases) {
      await waitFor(async () => (await hostStatus(base)).member === true, `${base} to join`);
    }
    await this.rest('POST', `/pools/${POOL}/networks`, {
      networkId: NETWORK,
      name: NETWORK,
      purpose: 'vm',
      kind: 'external',
      device: 'eth0',
      vlan: 10,
    });
    for (let i = 1; i <= this.hypervisors; i++) {
      // The hypervisor creates the VM's device, named after its port, before the VM starts.
      await this.lab.addVm(`pvm${i}`, `h${i}`, portName(`v${i}-0`), mac(i), `${ipv4(i)}/16`);
      await this.rest('POST', `/pools/${POOL}/vms`, { vmId: `v${i}`, name: `v${i}` });
      await this.rest('POST', `/pools/${POOL}/vms/v${i}/vifs`, {
        vifId: `v${i}-0`,
        device: 0,
        networkId: NETWORK,
        mac: mac(i),
        ipv4: ipv4(i),
        portSecurity: false,
      });
      await this.rest('POST', `/pools/${POOL}/vms/v${i}/start?${WAIT}`, { hostId: `h${i}` });
    }
  }

  private async rest(method: string, path: string, body?: unknown): Promise<void> {
    const res = await this.http!.request(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.body}`);
    const version = (JSON.parse(res.body) as { version?: unknown }).version;
    if (typeof version === 'number') this.lastVersion = version;
  }

  async change(part: Part, i: number): Promise<void> {
    const on = i % 2 === 0;
    const wait = part === 'commit' ? '' : `?${WAIT}`;
    switch (part) {
      case 'acl':
      case 'commit':
        if (on) {
          this.rules += 1;
          await this.rest('POST', `/pools/${POOL}/acls${wait}`, { ruleId: this.rule(), ...RULE });
        } else await this.rest('DELETE', `/pools/${POOL}/acls/${this.rule()}${wait}`, {});
        return;
      case 'port-security':
        await this.rest('PATCH', `/pools/${POOL}/vms/v1/vifs/v1-0${wait}`, { portSecurity: on });
        return;
      case 'floor': {
        const res = await this.http!.request('GET', '/health');
        if (res.status !== 200) throw new Error(`GET /health: ${res.status}`);
        return;
      }
    }
  }

  private rule(): string {
    return `r${this.rules}`;
  }

  async caughtUp(): Promise<void> {
    for (const base of this.hostBases) {
      await waitFor(
        async () => ((await hostStatus(base)).applied?.version ?? 0) >= this.lastVersion,
        `${base} to apply version ${this.lastVersion}`,
      );
    }
  }

  async processes(): Promise<ProcessGroups> {
    const dirs = [...this.lab.hosts.values()]
      .filter((h) => h.id.startsWith('h'))
      .map((h) => h.runDir);
    const [master, ...hosts] = this.apps.children.map((c) => c.pid!);
    return {
      'pool-master': master === undefined ? [] : [master],
      'member-host': hosts,
      'ovs-vswitchd': await pidsFromFiles(dirs.map((d) => `${d}/ovs-vswitchd.pid`)),
      'ovsdb-server': await pidsFromFiles(dirs.map((d) => `${d}/ovsdb-server.pid`)),
      'PostgreSQL backends': await this.backends(),
      'nats-server (shared)': natsPid(this.servers.natsUrl),
    };
  }

  /** The PostgreSQL processes serving the scratch database (on this machine). */
  private async backends(): Promise<number[]> {
    const client = new pg.Client({ connectionString: this.servers.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = $1',
        [this.database!.name],
      );
      return rows.map((r) => r.pid);
    } finally {
      await client.end();
    }
  }

  async flows(): Promise<string[][]> {
    return Promise.all(
      Array.from({ length: this.hypervisors }, async (_, k) => {
        const dir = this.lab.host(`h${k + 1}`).runDir;
        const bridges = await run('ovs-vsctl', [`--db=unix:${dir}/db.sock`, 'list-br']);
        const flows: string[] = [];
        for (const bridge of bridges.split('\n').filter(Boolean)) {
          const dump = await run('ovs-ofctl', [
            '-O',
            'OpenFlow14',
            'dump-flows',
            `unix:${dir}/${bridge}.mgmt`,
          ]);
          flows.push(...parseFlowDump(dump).map((flow) => `${bridge} ${flow}`));
        }
        return flows.sort();
      }),
    );
  }

  /** Its apps by pid, then its streams and database; the hosts' switches go with the lab. */
  async stop(): Promise<void> {
    this.http?.close();
    await this.apps.stopAll();
    const nc = await connect({ servers: this.servers.natsUrl, name: 'bench-ovn-peer' });
    try {
      const jsm = await jetstreamManager(nc);
      for (const stream of this.streams) await jsm.streams.delete(stream).catch(() => undefined);
    } finally {
      await nc.close();
    }
    await this.database?.drop();
  }
}

async function hostStatus(
  base: string,
): Promise<{ member?: boolean; applied?: { version: number } | null }> {
  const res = await fetch(`${base}/status`);
  return (await res.json()) as { member?: boolean; applied?: { version: number } | null };
}

/** The NATS server is shared with other work: its pid, to show its CPU apart. */
function natsPid(natsUrl: string): number[] {
  try {
    const port = new URL(natsUrl).port || '4222';
    const ss = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    const pid = /pid=(\d+)/.exec(ss)?.[1];
    return pid === undefined ? [] : [Number(pid)];
  } catch {
    return [];
  }
}
