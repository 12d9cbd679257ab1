/**
 * poolctl as an operator runs it: the built CLI (`dist/apps/poolctl/src/main.js`) as a child
 * process against a pool master with bearer tokens, member hosts on the memory driver and,
 * when it boots, the projection (read API and migration coordinator). One scripted session:
 * build a pool, start VMs with --wait, migrate one, read everything back, then the failures
 * and every verb's --help.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPool, type TestPool } from './support/member-host-pool.js';
import { POOLCTL, runBuiltPoolctl, type PoolctlRun as Run } from './support/poolctl-cli.js';
import { startPoolMasterProcess } from '../support/pool-master-process.js';
import { freePort, start, waitForHealthy } from '../support/processes.js';
import { natsUrl } from '../support/services.js';

const ADMIN = 'e2e-admin-token-0123456789';
const READER = 'e2e-reader-token-0123456789';
const pool = `ctl-${randomUUID().slice(0, 8)}`;

let testPool: TestPool;
let master: string;
let projection: string;
let projectionUp = false;

/** Runs the built CLI with the session's environment (admin token) plus `env`. */
const poolctl = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
  runBuiltPoolctl(args, {
    POOLNET_MASTER: master,
    POOLNET_PROJECTION: projection,
    POOLNET_POOL: pool,
    POOLNET_TOKEN: ADMIN,
    ...env,
  });

/** A verb that must succeed; its stdout, trimmed. */
async function ok(...args: string[]): Promise<string> {
  const run = await poolctl(args);
  if (run.code !== 0) {
    throw new Error(`poolctl ${args.join(' ')} exited ${run.code}\n${run.stderr}${run.stdout}`);
  }
  return run.stdout.trim();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
const json = async <T = any>(...args: string[]): Promise<T> =>
  JSON.parse(await ok('-o', 'json', ...args)) as T;

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

beforeAll(async () => {
  testPool = await startPool(pool);
  // The CLI's own master replica, with tokens; the harness's open replica leaves.
  const replica = await startPoolMasterProcess(testPool.db.url, testPool.nats, {
    AUTH_TOKENS: `admin:${ADMIN}:e2e,read-only:${READER}:reader`,
  });
  master = replica.base;
  await testPool.stopMaster();

  const port = await freePort();
  projection = `http://127.0.0.1:${port}`;
  const app = start('projection', {
    DATABASE_URL: testPool.db.url,
    NATS_URL: natsUrl(),
    SUBJECT_ROOT: testPool.nats.root,
    REPORTS_STREAM: testPool.nats.reportsStream,
    PORT: String(port),
    HOST: '127.0.0.1',
    AUTH_TOKENS: `admin:${ADMIN}:e2e,read-only:${READER}:reader`,
  });
  try {
    await waitForHealthy(projection, app, 30_000);
    projectionUp = true;
  } catch (error) {
    // The CLI reads the master's log without it; the migration needs its coordinator.
    console.warn(`projection not running, continuing without it: ${String(error).slice(0, 500)}`);
  }
}, 180_000);

afterAll(async () => {
  await testPool?.close();
});

describe('poolctl session', () => {
  it('creates a pool; its member hosts join; PIF roles and enable/disable with --wait', async () => {
    expect(await ok('pool', 'create', pool, '--name', 'CLI pool')).toBe(pool);
    for (const name of ['host-a', 'host-b']) {
      await testPool.startHost(name, { PIF_DEVICES: 'eth0,eth1' });
    }
    const hosts = await eventually(
      () => json<{ id: string }[]>('host', 'list'),
      (list) => list.length === 2,
      'both member hosts to join',
    );
    expect(hosts.map((h) => h.id).sort()).toEqual(['host-a', 'host-b']);

    // A host the operator joins by hand (no agent behind it), kept disabled so barriers skip it.
    const joined = await ok(
      'host',
      'join',
      'host-c',
      '--address',
      '192.0.2.13',
      '--pif',
      'device=eth0,mac=52:54:00:00:0c:00',
      '--pif',
      'device=eth1,mac=52:54:00:00:0c:01,mtu=9000',
      '--pif',
      'device=eth2,mac=52:54:00:00:0c:02,speed=10000,carrier=down',
    );
    expect(joined).toBe('host-c');
    expect(await ok('host', 'disable', 'host-c')).toMatch(/^version \d+: HostDisabled$/);

    for (const host of ['host-a', 'host-b']) {
      expect(await ok('pif', 'set', host, 'eth1', '--role', 'vm', '--wait')).toMatch(
        /^version \d+: PifRoleChanged; applied by 2\/2 hosts$/,
      );
    }
    expect(await ok('host', 'disable', 'host-b', '--wait')).toMatch(
      /HostDisabled; applied by 1\/1 hosts/,
    );
    expect(await ok('host', 'enable', 'host-b', '--wait')).toMatch(
      /HostEnabled; applied by 2\/2 hosts/,
    );

    const pifs = await json<{ hostId: string; device: string; roles: string[] }[]>(
      'pif',
      'list',
      '--host',
      'host-a',
    );
    expect(pifs.map((p) => [p.device, p.roles])).toEqual([
      ['eth0', ['management']],
      ['eth1', ['vm']],
    ]);
    const hostC = await json('host', 'show', 'host-c');
    expect(hostC).toMatchObject({ id: 'host-c', enabled: false });
    expect(hostC.pifs.map((p: { mtu: number }) => p.mtu)).toEqual([1500, 9000, 1500]);

    const bond = await ok(
      'bond',
      'create',
      'host-c',
      'bond0',
      '--members',
      'eth1,eth2',
      '--mode',
      'lacp',
      '--wait',
    );
    expect(await json('bond', 'list', '--host', 'host-c')).toEqual([
      expect.objectContaining({
        id: bond,
        device: 'bond0',
        members: ['eth1', 'eth2'],
        mode: 'lacp',
      }),
    ]);
    expect(await ok('bond', 'destroy', bond)).toMatch(/BondDestroyed/);
  });

  it('creates networks and VMs with VIFs, starts them with --wait', async () => {
    expect(
      await ok(
        'network',
        'create',
        'prod',
        '--uplink',
        'eth1',
        '--vlan',
        '100',
        '--id',
        'prod',
        '--wait',
      ),
    ).toBe('prod');
    const backend = await ok('network', 'create', 'backend', '--private');
    expect(backend).toMatch(/^[0-9a-f-]{36}$/);
    expect(await ok('network', 'update', 'prod', '--mtu', '1400', '--wait')).toMatch(
      /NetworkMtuChanged/,
    );
    const networks = await json<{ id: string; kind: string; vlan: number | null; mtu: number }[]>(
      'network',
      'list',
    );
    expect(networks.map(({ id, kind, vlan, mtu }) => ({ id, kind, vlan, mtu }))).toEqual(
      expect.arrayContaining([
        { id: 'prod', kind: 'external', vlan: 100, mtu: 1400 },
        { id: backend, kind: 'private', vlan: null, mtu: 1500 },
      ]),
    );

    expect(await ok('vm', 'create', 'web', '--id', 'web-1')).toBe('web-1');
    const db = await ok('vm', 'create', 'db');
    expect(
      await ok(
        'vif',
        'create',
        'web-1',
        '--network',
        'prod',
        '--ipv4',
        '192.0.2.10',
        '--qos-in',
        '100000/10000',
        '--port-security',
        '--id',
        'web-1-eth0',
      ),
    ).toBe('web-1-eth0');
    const dbVif = await ok(
      'vif',
      'create',
      db,
      '--network',
      backend,
      '--mac',
      '02:00:00:00:00:42',
      '--ipv4',
      '10.0.0.2',
    );
    await ok('vif', 'create', db, '--network', 'prod', '--device', '1');

    expect(await ok('vm', 'start', 'web-1', '--on', 'host-a', '--wait')).toMatch(
      /^version \d+: VmStarted; applied by 2\/2 hosts$/,
    );
    expect(await ok('vm', 'start', db, '--on', 'host-b', '--wait')).toMatch(
      /applied by 2\/2 hosts/,
    );

    const vifs = await json<{ id: string; vmId: string; mac: string; ips: string[] }[]>(
      'vif',
      'list',
      '--vm',
      db,
    );
    expect(vifs.find((v) => v.id === dbVif)).toMatchObject({
      mac: '02:00:00:00:00:42',
      ips: ['10.0.0.2'],
    });
    expect(vifs).toHaveLength(2);

    // QoS and port security in words, from the projection: the rate as given, "on".
    const webVifs = await ok('vif', 'list', '--vm', 'web-1');
    expect(webVifs).toMatch(/^web-1-eth0 .* in 100 Mbit\/s burst 10 Mbit, out unlimited {2}on$/m);

    // vif update finds the VIF's VM by itself.
    expect(await ok('vif', 'update', 'web-1-eth0', '--no-qos', '--wait')).toMatch(
      /VifUpdated; applied by 2\/2/,
    );
  });

  it('reads a VM back as JSON, the same from the projection as from the log', async () => {
    const shown = await poolctl(['-o', 'json', 'vm', 'show', 'web-1']);
    expect(shown.code).toBe(0);
    // With the projection up, no fallback to the log (and no note about one).
    if (projectionUp) expect(shown.stderr).toBe('');
    const vm = JSON.parse(shown.stdout);
    expect(vm).toMatchObject({ id: 'web-1', name: 'web', powerState: 'running', hostId: 'host-a' });
    expect(vm.vifs).toHaveLength(1);
    expect(vm.vifs[0]).toMatchObject({ id: 'web-1-eth0', networkId: 'prod', ips: ['192.0.2.10'] });
    // Generated: locally administered unicast.
    expect(vm.vifs[0].mac).toMatch(/^[0-9a-f][26ae](:[0-9a-f]{2}){5}$/);
    // --no-qos cleared the rate limits; port security stays on.
    expect(vm.vifs[0]).toMatchObject({ qos: null, portSecurity: true });
    // Both sides answer every field, QoS and port security included.
    const fromLog = await json('--read-from', 'log', 'vm', 'show', 'web-1');
    expect(fromLog).toEqual(vm);
    const table = await ok('vm', 'show', 'web-1');
    expect(table).toContain('power state: running');
    expect(table).toContain('192.0.2.10');
    // "none" and "on" in words: a dash would read as either.
    expect(table).toMatch(/^web-1-eth0 .* 192\.0\.2\.10 {2}none {2}on$/m);
  });

  it('migrates a VM with --wait; it keeps its MAC and IP', async () => {
    const before = await json('vm', 'show', 'web-1');
    const run = await poolctl([
      '-o',
      'json',
      '--timeout',
      '60',
      'vm',
      'migrate',
      'web-1',
      '--to',
      'host-b',
      '--wait',
    ]);
    if (run.code !== 0) {
      throw new Error(
        `vm migrate --wait exited ${run.code} (projection ${projectionUp ? 'up' : 'down'})\n${run.stderr}${run.stdout}`,
      );
    }
    const out = JSON.parse(run.stdout);
    expect(out.migration).toMatchObject({ status: 'completed' });
    expect(Object.keys(out.migration.versions)).toEqual(
      expect.arrayContaining(['requested', 'prepared', 'activated', 'completed']),
    );
    const after = await json('vm', 'show', 'web-1');
    expect(after).toMatchObject({ hostId: 'host-b', powerState: 'running', migration: null });
    // The VIFs come through unchanged; only their ports moved, under the same names.
    const unplaced = (vifs: object[]) => vifs.map((vif) => ({ ...vif, ports: undefined }));
    expect(unplaced(after.vifs)).toEqual(unplaced(before.vifs));
    for (const vif of after.vifs as { port: string; bridge: string; ports: unknown }[]) {
      expect(vif.ports).toEqual([
        { hostId: 'host-b', port: vif.port, bridge: vif.bridge, role: 'active' },
      ]);
    }
  }, 120_000);

  it('takes names for ids, lets the pool pick VIF devices, prints the id when --wait times out', async () => {
    const ID = /^[0-9a-f-]{36}$/;
    // db has a generated id: show and migrate it by its name, and a network by its name.
    const db = await json('vm', 'show', 'db');
    expect(db).toMatchObject({ name: 'db', hostId: 'host-b', powerState: 'running' });
    expect(db.id).toMatch(ID);
    const moved = await poolctl(['-o', 'json', 'vm', 'migrate', 'db', '--to', 'host-a', '--wait']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(JSON.parse(moved.stdout).migration).toMatchObject({ status: 'completed' });
    expect(await json('vm', 'show', db.id)).toMatchObject({ hostId: 'host-a', migration: null });
    expect(await json('network', 'show', 'backend')).toMatchObject({ kind: 'private' });

    // A name two VMs share is refused, listing both ids; an id always wins over a name.
    const twins = [await ok('vm', 'create', 'twin'), await ok('vm', 'create', 'twin')];
    const ambiguous = await poolctl(['vm', 'show', 'twin']);
    expect(ambiguous).toMatchObject({ code: 6, stdout: '' });
    expect(ambiguous.stderr.trim()).toBe(
      `poolctl: 'twin' names 2 VMs: ${twins.sort().join(', ')}; give an id (AMBIGUOUS_NAME)`,
    );
    await ok('vm', 'create', 'web-1', '--id', 'named-like-web');
    expect(await json('vm', 'show', 'web-1')).toMatchObject({ id: 'web-1' });

    // No --device: the pool takes the VM's lowest free index, 0 then 1 (names used at once).
    await ok('vm', 'create', 'solo');
    const first = await ok('vif', 'create', 'solo', '--network', 'backend');
    const second = await ok('vif', 'create', 'solo', '--network', 'backend');
    const solo = await json('vm', 'show', 'solo');
    expect(solo.vifs.map((v: { id: string; device: number }) => [v.id, v.device])).toEqual([
      [first, 0],
      [second, 1],
    ]);

    // host-c (no agent behind it) enabled: it never applies, so --wait runs out of time; the
    // VM is created all the same, and its id printed for the script to go on with.
    await ok('host', 'enable', 'host-c');
    let late: Run;
    try {
      late = await poolctl(['--timeout', '1', 'vm', 'create', 'late', '--wait']);
    } finally {
      await ok('host', 'disable', 'host-c');
    }
    expect(late.code).toBe(3);
    expect(late.stderr).toMatch(/host-c.*\(CONVERGENCE_TIMEOUT\)$/m);
    expect(late.stdout.trim()).toMatch(ID);
    expect(await json('vm', 'show', late.stdout.trim())).toMatchObject({ name: 'late' });

    for (const vm of [...twins, 'named-like-web', solo.id, late.stdout.trim()]) {
      await ok('vm', 'destroy', vm);
    }
  });

  it('ACLs, mirrors, events and status', async () => {
    const rule = await ok(
      'acl',
      'add',
      '--network',
      'prod',
      '--direction',
      'from-vm',
      '--priority',
      '100',
      '--protocol',
      'tcp',
      '--cidr',
      '10.0.0.0/8',
      '--port',
      '8000-8080',
      '--action',
      'allow',
      '--wait',
    );
    expect(await json('acl', 'list')).toEqual([
      expect.objectContaining({
        id: rule,
        scope: { kind: 'network', networkId: 'prod' },
        match: {
          protocol: 'tcp',
          cidr: '10.0.0.0/8',
          addressSetId: null,
          remoteGroupId: null,
          portFrom: 8000,
          portTo: 8080,
        },
      }),
    ]);
    const overlap = await poolctl([
      'acl',
      'add',
      '--network',
      'prod',
      '--direction',
      'from-vm',
      '--priority',
      '100',
      '--protocol',
      'tcp',
      '--port',
      '8080',
      '--action',
      'drop',
    ]);
    expect(overlap.code).toBe(1);
    expect(overlap.stderr).toContain('(ACL_RULE_OVERLAP)');
    expect(await ok('acl', 'remove', rule)).toMatch(/AclRuleDeleted/);

    const vms = await json<{ id: string; vifs: { id: string }[] }[]>(
      'vm',
      'list',
      '--power-state',
      'running',
    );
    const dbVifs = vms.find((v) => v.id !== 'web-1')!.vifs;
    const mirror = await ok(
      'mirror',
      'create',
      '--vif',
      'web-1-eth0',
      '--to',
      dbVifs[0]!.id,
      '--wait',
    );
    expect(await json('mirror', 'list')).toEqual([
      expect.objectContaining({
        id: mirror,
        source: { kind: 'vif', vifId: 'web-1-eth0' },
        direction: 'both',
        // web-1 runs on host-b by now (migrated), the monitor's VM on host-a; no host declares a
        // tunnel endpoint, so the copies cannot cross: said so, with the hosts.
        status: {
          state: 'inactive',
          monitorHost: 'host-a',
          problems: [
            {
              code: 'NO_TUNNEL_ENDPOINT',
              message:
                'sources on host host-b, monitor on host host-a: host host-b and host host-a declare no tunnel endpoint',
              host: 'host-b',
            },
          ],
        },
      }),
    ]);
    expect(await ok('mirror', 'destroy', mirror)).toMatch(/MirrorDeleted/);

    const events = await json<{ version: number; type: string }[]>('events');
    expect(events[0]).toMatchObject({ version: 1, type: 'PoolCreated' });
    expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
    const lines = (await ok('events', '--after', String(events.length - 2))).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^\s+\d+ {2}\S+Z {2}MirrorDeleted\s+mirrorId=/);

    // --follow prints what is committed after it started.
    const follower = spawn(
      process.execPath,
      [POOLCTL, '-o', 'json', 'events', '--follow', '--after', String(events.length)],
      {
        env: {
          PATH: process.env.PATH ?? '',
          POOLNET_MASTER: master,
          POOLNET_POOL: pool,
          POOLNET_TOKEN: READER,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let followed = '';
    follower.stdout.on('data', (chunk: Buffer) => (followed += chunk.toString()));
    try {
      await ok('vm', 'rename', 'web-1', 'web-01');
      await eventually(
        () => Promise.resolve(followed),
        (text) => text.includes('VmRenamed'),
        'events --follow to print',
      );
      expect(JSON.parse(followed.trim().split('\n')[0]!)).toMatchObject({
        type: 'VmRenamed',
        data: { name: 'web-01' },
      });
    } finally {
      follower.kill('SIGTERM');
    }

    const status = await json('status');
    expect(status.pool).toMatchObject({ id: pool, name: 'CLI pool' });
    expect(status.hosts.map((h: { id: string }) => h.id).sort()).toEqual([
      'host-a',
      'host-b',
      'host-c',
    ]);
    // --wait let the projection catch up, so status reads it (the log only without it).
    expect(status.source).toBe(projectionUp ? 'projection' : 'log');
    if (status.source === 'projection') {
      const a = status.hosts.find((h: { id: string }) => h.id === 'host-a');
      expect(a.appliedVersion).toBeGreaterThan(0);
    }
    expect(await ok('pool', 'show')).toContain('name:');
  });

  it('reports refusals, auth failures and an unreachable master with their exit codes', async () => {
    const unknown = await poolctl(['vm', 'show', 'no-such-vm']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^poolctl: .*no-such-vm.* \(VM_NOT_FOUND\)$/m);
    expect(unknown.stdout).toBe('');

    const start = await poolctl(['vm', 'start', 'no-such-vm', '--on', 'host-a']);
    expect(start).toMatchObject({ code: 1, stdout: '' });
    expect(start.stderr.trim()).toMatch(/^poolctl: .+ \(VM_NOT_FOUND\)$/);

    const inUse = await poolctl(['network', 'destroy', 'prod']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('(NETWORK_IN_USE)');

    const running = await poolctl(['host', 'eject', 'host-b']);
    expect(running.code).toBe(1);
    expect(running.stderr).toContain('(HOST_HAS_RUNNING_VMS)');
    expect(await ok('host', 'eject', 'host-c')).toMatch(/HostEjected/);

    const anonymous = await poolctl(['vm', 'create', 'x'], { POOLNET_TOKEN: '' });
    expect(anonymous.code).toBe(4);
    expect(anonymous.stderr).toContain('(UNAUTHENTICATED)');
    const reader = await poolctl(['vm', 'create', 'x'], { POOLNET_TOKEN: READER });
    expect(reader.code).toBe(4);
    expect(reader.stderr).toContain('(FORBIDDEN)');
    expect(reader.stderr + reader.stdout).not.toContain(READER);
    expect(await json('--read-from', 'log', 'vm', 'show', 'web-1')).toMatchObject({ id: 'web-1' });

    const port = await freePort();
    const away = await poolctl(['vm', 'stop', 'web-1', '--master', `http://127.0.0.1:${port}`]);
    expect(away.code).toBe(3);
    expect(away.stderr).toContain('(UNREACHABLE)');

    const usage = await poolctl(['vm', 'start', 'web-1']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("required option '--on <host>' not specified");
  });

  it('stops and destroys what it made', async () => {
    type Vm = { id: string; vifs: { id: string; networkId: string }[]; migration: object | null };
    // A migration nobody coordinates (no projection) stays requested: its VM cannot stop.
    const vms = (await json<Vm[]>('vm', 'list')).filter((vm) => vm.migration === null);
    for (const vm of vms) {
      await ok('vm', 'stop', vm.id, '--wait');
      for (const vif of vm.vifs) await ok('vif', 'destroy', vif.id);
      await ok('vm', 'destroy', vm.id, '--wait');
    }
    const left = await json<Vm[]>('vm', 'list');
    expect(left.filter((vm) => vm.migration === null)).toEqual([]);
    const used = new Set(left.flatMap((vm) => vm.vifs.map((vif) => vif.networkId)));
    for (const network of await json<{ id: string }[]>('network', 'list')) {
      if (!used.has(network.id)) await ok('network', 'destroy', network.id, '--wait');
    }
    expect(
      (await json<{ id: string }[]>('network', 'list')).filter((n) => !used.has(n.id)),
    ).toEqual([]);
  });

  const VERBS = [
    ['pool', 'create', 'rename', 'list', 'show'],
    ['host', 'join', 'enable', 'disable', 'eject', 'list', 'show'],
    ['pif', 'list', 'set'],
    ['bond', 'create', 'destroy', 'list'],
    ['network', 'create', 'update', 'destroy', 'list', 'show'],
    [
      'vm',
      'create',
      'rename',
      'start',
      'stop',
      'destroy',
      'migrate',
      'list',
      'show',
      'libvirt-xml',
    ],
    ['vif', 'create', 'update', 'destroy', 'list'],
    ['acl', 'add', 'remove', 'list'],
    ['mirror', 'create', 'destroy', 'list'],
  ] as const;

  it('has a complete --help for the tool and every verb', async () => {
    const main = await poolctl(['--help']);
    expect(main.code).toBe(0);
    for (const word of ['Exit codes:', 'POOLNET_MASTER', 'POOLNET_TOKEN', 'Examples:', '--wait']) {
      expect(main.stdout).toContain(word);
    }
    for (const [group, ...verbs] of VERBS) {
      expect(main.stdout).toContain(`  ${group} `);
      const groupHelp = await poolctl([group, '--help']);
      expect(groupHelp.code).toBe(0);
      for (const verb of verbs) {
        expect(groupHelp.stdout).toMatch(new RegExp(`^  ${verb}\\b`, 'm'));
        const help = await poolctl([group, verb, '--help']);
        expect(help.code, `${group} ${verb} --help`).toBe(0);
        expect(help.stdout).toContain(`Usage: poolctl ${group} ${verb}`);
        expect(help.stdout, `${group} ${verb} --help has examples`).toContain(
          'Examples:\n  $ poolctl',
        );
      }
    }
    for (const verb of ['events', 'status']) {
      const help = await poolctl([verb, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Examples:');
    }
  }, 180_000);
});
