/**
 * The convergence barrier (`wait: 'hosts'`): a command returns only when every enabled host has
 * reported applying its version, or fails with a timeout naming the hosts still behind. Member
 * hosts are played by the test, which publishes their reports to POOLNET_REPORTS.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandReply, type HostReport } from '@pool/contracts';
import { createTestDatabase } from '../support/databases.js';
import { createTestNats } from '../support/nats.js';
import { startPoolMasterProcess } from '../support/pool-master-process.js';
import { killStarted } from '../support/processes.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
const pool = `barrier-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await createTestNats();
  await startPoolMasterProcess(db.url, nats);
});

afterAll(async () => {
  killStarted();
  await nats.close();
  await db.drop();
});

async function command(type: string, data: unknown, extra: object = {}): Promise<CommandReply> {
  const msg = await nats.nc.request(
    nats.commandSubject(pool, type),
    JSON.stringify({ data, ...extra }),
    { timeout: 15_000 },
  );
  return msg.json<CommandReply>();
}

const report = (host: string, appliedVersion: number, ports?: HostReport['ports']) => {
  const body: HostReport = {
    pool,
    host,
    appliedVersion,
    digest: 'd',
    at: new Date().toISOString(),
    ...(ports ? { ports } : {}),
  };
  return nats.js.publish(`${nats.root}.${pool}.hosts.${host}.reports`, JSON.stringify(body));
};

const pifs = [
  { device: 'eth0', mac: '00:16:3e:00:00:01', mtu: 1500, speedMbps: 1000, carrier: true },
];
const join = (hostId: string, n: number) =>
  command('JoinHost', {
    hostId,
    name: hostId,
    address: `192.0.2.${n}`,
    managementDevice: 'eth0',
    pifs: [{ ...pifs[0], mac: `00:16:3e:00:00:0${n}` }],
  });

describe('convergence barrier', () => {
  it('waits for every enabled host, names the ones behind on timeout', async () => {
    expect((await command('CreatePool', { poolId: pool, name: 'Barrier' })).ok).toBe(true);
    expect((await join('h1', 1)).ok).toBe(true);
    expect((await join('h2', 2)).ok).toBe(true);

    // Only h1 reports: the barrier must time out and name h2, with the committed version.
    await report('h1', 10);
    const timedOut = await command(
      'CreateVm',
      { vmId: 'vm1', name: 'vm1' },
      { wait: 'hosts', waitTimeoutMs: 500 },
    );
    expect(timedOut).toMatchObject({
      ok: false,
      error: {
        status: 504,
        code: 'CONVERGENCE_TIMEOUT',
        details: { version: 4, behind: [{ host: 'h2', appliedVersion: null }] },
      },
    });

    // h2 catches up while a command waits: the command returns with both hosts' versions.
    const waiting = command(
      'CreateVm',
      { vmId: 'vm2', name: 'vm2' },
      { wait: 'hosts', waitTimeoutMs: 10_000 },
    );
    await new Promise((r) => setTimeout(r, 300));
    await report('h2', 5);
    const done = await waiting;
    expect(done).toMatchObject({ ok: true, result: { version: 5, hosts: { h1: 10, h2: 5 } } });

    // h2 applied the next version, but a VM's NIC is not plugged there: that is not "behind".
    // The answer comes, listing the VIF that waits for its device.
    const unplugged = command(
      'CreateVm',
      { vmId: 'vm4', name: 'vm4' },
      { wait: 'hosts', waitTimeoutMs: 10_000 },
    );
    await new Promise((r) => setTimeout(r, 300));
    await report('h2', 6, [{ vif: 'vif-2', ready: true, forwarding: false, plugged: false }]);
    expect(await unplugged).toMatchObject({
      ok: true,
      result: {
        version: 6,
        hosts: { h1: 10, h2: 6 },
        notPlugged: [{ hostId: 'h2', vifId: 'vif-2' }],
      },
    });
    // Once the device is there, the answer lists nothing.
    await report('h2', 6, [{ vif: 'vif-2', ready: true, forwarding: true }]);
    const next = command('CreateVm', { vmId: 'vm5', name: 'vm5' }, { wait: 'hosts' });
    await new Promise((r) => setTimeout(r, 300));
    await report('h2', 7, [{ vif: 'vif-2', ready: true, forwarding: true }]);
    const plugged = await next;
    expect(plugged).toMatchObject({ ok: true, result: { version: 7, hosts: { h2: 7 } } });
    expect(plugged.ok && plugged.result.notPlugged).toBeUndefined();

    // A disabled host is not waited for.
    expect((await command('DisableHost', { hostId: 'h2' })).ok).toBe(true);
    const onlyH1 = await command(
      'CreateVm',
      { vmId: 'vm3', name: 'vm3' },
      { wait: 'hosts', waitTimeoutMs: 5_000 },
    );
    expect(onlyH1).toMatchObject({ ok: true, result: { version: 9, hosts: { h1: 10 } } });
  });
});
