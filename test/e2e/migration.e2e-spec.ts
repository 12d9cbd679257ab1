/**
 * VM migration end to end on the memory datapath: a pool master, the projection (whose
 * coordinator drives the saga) and three member hosts, all real processes. The switch-level
 * proof (ping across a migration, never two forwarding ports) is migration-ovs.e2e-spec.ts.
 */
import { randomUUID } from 'node:crypto';
import type { HostReport } from '@pool/contracts';
import { portName, type Port } from '@pool/vswitch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPool, until, type MemberHost, type TestPool } from './support/member-host-pool.js';
import {
  migrate,
  migrationIdOf,
  sagaEvents,
  startProjection,
  waitForSaga,
  type ProjectionProcess,
} from './support/migration-pool.js';

const pool = `mig-${randomUUID().slice(0, 8)}`;
const TIMEOUT_MS = 3_000;
let p: TestPool;
let projection: ProjectionProcess;
const host = (name: string): MemberHost => p.hosts.get(name)!;

const VIFS = ['web-0', 'web-1'];
const QOS = { ingressKbps: 5000, ingressBurstKb: 500, egressKbps: 8000, egressBurstKb: 800 };

beforeAll(async () => {
  p = await startPool(pool);
  await p.ok('CreatePool', { poolId: pool, name: 'Migrations' });
  await p.startHost('h1');
  await p.startHost('h2');
  // h3 has no eth0, so no uplink for n10: no VM on n10 may move there.
  await p.startHost('h3', { PIF_DEVICES: 'eth1' });
  for (const name of ['h1', 'h2', 'h3']) {
    await until(async () => (await host(name).status()).member === true, `${name} to join`);
  }
  projection = await startProjection(p, { MIGRATION_TIMEOUT_MS: String(TIMEOUT_MS) });

  const network = (networkId: string, kind: object) =>
    p.ok('CreateNetwork', { networkId, name: networkId, purpose: 'vm', ...kind });
  await network('n10', { kind: 'external', device: 'eth0', vlan: 10 });
  await network('priv', { kind: 'private' });
  await p.ok('CreateVm', { vmId: 'web', name: 'web' });
  await p.ok('CreateVif', {
    vifId: 'web-0',
    vmId: 'web',
    device: 0,
    networkId: 'n10',
    mac: '02:00:00:00:aa:01',
    ipv4: '10.10.0.5',
    ipv6: 'fd00::5',
    qos: QOS,
    portSecurity: true,
  });
  await p.ok('CreateVif', { vifId: 'web-1', vmId: 'web', device: 1, networkId: 'priv' });
  await p.ok('CreateAclRule', {
    ruleId: 'no-ssh',
    scope: { kind: 'network', networkId: 'n10' },
    direction: 'from-vm',
    priority: 100,
    match: { protocol: 'tcp', portFrom: 22, portTo: 22 },
    action: 'drop',
  });
  await p.ok('CreateAclRule', {
    ruleId: 'web-only',
    scope: { kind: 'vif', vifId: 'web-0' },
    direction: 'to-vm',
    priority: 200,
    match: { protocol: 'tcp', portFrom: 443, portTo: 443 },
    action: 'allow',
  });
  await p.ok('StartVm', { vmId: 'web', hostId: 'h1' }, { wait: 'hosts' });
}, 180_000);

afterAll(() => p?.close());

/** The VM's ports on a host's datapath, by VIF. */
async function portsOn(name: string): Promise<Map<string, Port>> {
  const state = (await (await fetch(`${host(name).base}/testing/datapath`)).json()) as {
    bridges: { ports: Port[] }[];
  };
  const ports = state.bridges.flatMap((b) => b.ports).filter((port) => VIFS.includes(port.vifId));
  return new Map(ports.map((port) => [port.vifId, port]));
}

/** What a port carries that must not change when the VM moves (its name is the VIF's too). */
const identity = ({ forwarding: _f, ...port }: Port) => port;

async function addressing() {
  const { state } = await p.logState();
  return {
    vifs: VIFS.map((id) => state.vifs.get(id)),
    acls: [...state.aclRules.values()],
    resident: state.vms.get('web')?.residentHostId,
    migrations: state.migrations.size,
  };
}

/** Waits for the hosts to apply the whole log (the saga's last event included). */
async function settled(...names: string[]) {
  for (const name of names) await p.converged(host(name));
}

describe('VM migration through the coordinator', () => {
  it('moves a running VM to another host with the same MAC, IPs, networks, QoS and ACLs', async () => {
    const before = await addressing();
    const portsBefore = await portsOn('h1');
    expect([...portsBefore.values()].every((port) => port.forwarding)).toBe(true);

    const { status, body } = await migrate(p, pool, 'web', 'h2');
    expect(status).toBe(201);
    const id = migrationIdOf(body);
    const events = await waitForSaga(p, pool, id, 'MigrationCompleted');
    expect(events.map((e) => e.type)).toEqual([
      'MigrationRequested',
      'MigrationPrepared',
      'MigrationActivated',
      'MigrationCompleted',
    ]);
    // Each step written once, by the coordinator, under its deterministic command id.
    expect(events.slice(1).map((e) => e.metadata.commandId)).toEqual([
      `migration:${id}:prepare`,
      `migration:${id}:activate`,
      `migration:${id}:complete`,
    ]);

    const after = await addressing();
    expect(after).toEqual({ ...before, resident: 'h2' });
    await settled('h1', 'h2');
    const portsAfter = await portsOn('h2');
    expect((await portsOn('h1')).size).toBe(0);
    for (const vif of VIFS) {
      expect(portsAfter.get(vif)?.forwarding).toBe(true);
      expect(identity(portsAfter.get(vif)!)).toEqual(identity(portsBefore.get(vif)!));
    }
    expect(portsAfter.get('web-0')).toMatchObject({
      mac: '02:00:00:00:aa:01',
      ipv4: '10.10.0.5',
      ipv6: 'fd00::5',
      qos: QOS,
      portSecurity: true,
      acls: [
        expect.objectContaining({ id: 'web-only' }),
        expect.objectContaining({ id: 'no-ssh' }),
      ],
    });
    // The target announced each port's addresses as it started forwarding.
    const announced = (await (await fetch(`${host('h2').base}/testing/announcements`)).json()) as {
      port: string;
      address: object;
    }[];
    expect(announced).toContainEqual({
      port: portName('web-0'),
      address: { mac: '02:00:00:00:aa:01', ipv4: '10.10.0.5', ipv6: 'fd00::5' },
      at: expect.any(Number),
    });
  });

  it('refuses a migration to a host lacking one of the VM networks, writing nothing', async () => {
    const { version } = await p.logState();
    const { status, body } = await migrate(p, pool, 'web', 'h3');
    expect(status).toBe(409);
    expect(body.code).toEqual(expect.any(String));
    expect(JSON.stringify(body)).toContain('n10');
    expect((await p.logState()).version).toBe(version);
  });

  it('refuses a second migration of a VM that is already migrating', async () => {
    const results = await Promise.all([
      migrate(p, pool, 'web', 'h1'),
      migrate(p, pool, 'web', 'h1'),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const accepted = results.find((r) => r.status === 201)!;
    const refused = results.find((r) => r.status === 409)!;
    expect(refused.body.code).toMatch(/MIGRAT/);
    await waitForSaga(p, pool, migrationIdOf(accepted.body), 'MigrationCompleted');
    expect((await addressing()).resident).toBe('h1');
  });

  it('aborts when the target dies mid-way; the VM stays put and forwards again', async () => {
    await settled('h1', 'h2');
    // The source stays paused until the saga ends, so it cannot get past `prepared`: the target
    // may die before readying its ports, after, or even after confirming them at `prepared`
    // (the kill races its reports), and the migration must abort in every case. Resuming the
    // source earlier would let that last case activate onto a dead target (see next-step.ts).
    host('h1').running.child.kill('SIGSTOP');
    let id: string;
    let events: Awaited<ReturnType<typeof waitForSaga>>;
    try {
      const { status, body } = await migrate(p, pool, 'web', 'h2');
      expect(status).toBe(201);
      id = migrationIdOf(body);
      const requested = (await sagaEvents(p, pool, id))[0]!.version;
      // The target holds the VM's pending ports (durably) before it dies.
      await until(
        async () => ((await host('h2').status()).applied?.version ?? 0) >= requested,
        'h2 to apply the request',
      );
      host('h2').kill();
      await host('h2').running.exit;
      events = await waitForSaga(p, pool, id, 'MigrationAborted', TIMEOUT_MS + 20_000);
    } finally {
      host('h1').running.child.kill('SIGCONT');
    }
    expect(events.at(-1)?.data.reason).toMatch(/timed out/);
    expect(events.map((e) => e.type)).not.toContain('MigrationActivated');
    expect((await addressing()).resident).toBe('h1');
    await settled('h1');
    const ports = await portsOn('h1');
    expect(VIFS.map((vif) => ports.get(vif)?.forwarding)).toEqual([true, true]);
  });

  it('removes the stale pending ports of a target that was down when the migration aborted', async () => {
    const { version } = await p.logState();
    const since = new Date().toISOString();
    const back = await p.startHost('h2');
    await p.converged(back);
    expect((await portsOn('h2')).size).toBe(0);
    // It came back with the pending ports it had persisted, then dropped them from the log.
    let reports: HostReport[] = [];
    await until(async () => {
      reports = (await p.reports('h2')).filter((r) => r.at >= since);
      return reports.at(-1)?.appliedVersion === version;
    }, 'h2 to report the current version');
    const first = reports[0];
    expect(first?.appliedVersion).toBeLessThan(version);
    expect(first?.ports?.filter((port) => VIFS.includes(port.vif))).toEqual(
      VIFS.map((vif) => ({ vif, ready: true, forwarding: false })),
    );
    const last = reports.at(-1);
    expect(last?.appliedVersion).toBe(version);
    expect(last?.ports?.some((port) => VIFS.includes(port.vif))).toBe(false);
  });

  it('resumes a migration after the coordinator is killed half-way', async () => {
    await settled('h1', 'h2');
    host('h1').running.child.kill('SIGSTOP'); // holds the saga at `prepared`
    let id: string;
    try {
      const { body } = await migrate(p, pool, 'web', 'h2');
      id = migrationIdOf(body);
      await waitForSaga(p, pool, id, 'MigrationPrepared');
      await projection.kill();
    } finally {
      host('h1').running.child.kill('SIGCONT');
    }
    expect((await sagaEvents(p, pool, id)).map((e) => e.type)).toEqual([
      'MigrationRequested',
      'MigrationPrepared',
    ]);
    // A new coordinator knows only the log and the hosts' last reports.
    projection = await startProjection(p, { MIGRATION_TIMEOUT_MS: '120000' });
    const events = await waitForSaga(p, pool, id, 'MigrationCompleted');
    expect(events.map((e) => e.type)).toEqual([
      'MigrationRequested',
      'MigrationPrepared',
      'MigrationActivated',
      'MigrationCompleted',
    ]);
    expect((await addressing()).resident).toBe('h2');
    await settled('h1', 'h2');
    expect((await portsOn('h1')).size).toBe(0);
    expect([...(await portsOn('h2')).values()].map((port) => port.forwarding)).toEqual([
      true,
      true,
    ]);
  });
});
