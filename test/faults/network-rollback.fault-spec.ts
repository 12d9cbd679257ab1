/**
 * A change that cuts one host off its management path, under a steady load of commands: a
 * network on the management NIC (eth0). Host h3's memory datapath is told its NATS traffic
 * leaves by eth0 (TEST_MANAGEMENT_PATH_DEVICE), so bridging eth0 drops its NATS connection as on
 * a real host; h1 and h2 apply the change. h3's network watchdog (3 s here) rolls the change
 * back, reconnects, reports it held, and the master records HostNetworkRolledBack. The log stays
 * consistent with h3 held at the version before the change (its digest the model's for that
 * version); a later change to the uplinks (destroying the network) lifts the hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLog } from './support/consistency.js';
import { expectConsistent } from './support/expect-consistent.js';
import { FaultStack } from './support/fault-stack.js';
import { sleep } from './support/local-process.js';
import { command, describeResult, Scenario } from './support/scenario.js';

const WATCHDOG_MS = 3000;
let stack: FaultStack;

beforeAll(async () => {
  stack = await FaultStack.start();
});

afterAll(async () => {
  await stack?.close();
});

async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('network rollback', () => {
  it('a change that cuts a host off is rolled back by that host and recorded', async () => {
    const s = await Scenario.start(stack, 'rollback', {
      hostEnv: (host) => ({
        NETWORK_WATCHDOG_MS: String(WATCHDOG_MS),
        ...(host === 'h3' ? { TEST_MANAGEMENT_PATH_DEVICE: 'eth0' } : {}),
      }),
    });
    await s.run(1500, 20);
    // The load starts VMs on every host; a held host would leave its later ones unrealised.
    await s.load.stop();
    const [victim, ...others] = [s.hosts[2]!, s.hosts[0]!, s.hosts[1]!];
    const before = (await victim.status()).applied.version as number;

    // The breaking change, sent with ?wait=hosts: the answer names the host that rolled back.
    const sentAt = Date.now();
    const response = await fetch(`${stack.masterBases()[0]}/pools/${s.pool}/networks?wait=hosts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        networkId: 'mgmt-vlan',
        name: 'mgmt-vlan',
        purpose: 'vm',
        kind: 'external',
        device: 'eth0',
        vlan: 99,
      }),
      signal: AbortSignal.timeout(60_000),
    });
    const answeredMs = Date.now() - sentAt;
    const answer = (await response.json()) as {
      code: string;
      message: string;
      details: { version: number; rolledBack: { host: string }[] };
    };
    expect(response.status, JSON.stringify(answer)).toBe(409);
    expect(answer.code).toBe('HOST_NETWORK_ROLLED_BACK');
    expect(answer.details.rolledBack.map((h) => h.host)).toEqual(['h3']);
    const refused = answer.details.version;

    const held = await until(async () => {
      const st = await victim.status().catch(() => undefined);
      return st?.held ?? undefined;
    }, 'h3 to hold');
    expect(held.refusedVersion).toBe(refused);
    expect(held.version).toBeGreaterThanOrEqual(before);
    expect(held.version).toBeLessThan(refused);
    const rolledBackMs = Date.parse(held.since) - sentAt;
    // Reporting again: its report with the hold reached the master (the 409 above needs it).
    for (const other of others) {
      await until(
        async () => ((await other.status()).applied.version >= refused ? true : undefined),
        `${other.name} to apply the change`,
      );
    }
    const recorded = await until(async () => {
      const events = await readLog(stack.sql, s.pool);
      return events.find((e) => e.type === 'HostNetworkRolledBack');
    }, 'HostNetworkRolledBack in the log');
    const recordedMs = Date.now() - sentAt;
    expect(recorded.data).toMatchObject({
      hostId: 'h3',
      refusedVersion: refused,
      heldVersion: held.version,
    });

    // The checker accepts h3 held at its version, with the model's digest for it.
    const r = await s.finish();
    console.log(
      describeResult(r, {
        'watchdog bound (ms)': WATCHDOG_MS,
        'change → rollback (ms)': rolledBackMs,
        'change → ?wait=hosts answered with the rollback (ms)': answeredMs,
        'change → HostNetworkRolledBack seen in the log (ms)': recordedMs,
      }),
    );
    expectConsistent(r);

    // A later change to the uplinks supersedes the refused one: the hold lifts, h3 follows.
    await command(stack, 'DELETE', `/pools/${s.pool}/networks/mgmt-vlan`);
    const head = Math.max(...(await readLog(stack.sql, s.pool)).map((e) => e.version));
    await until(async () => {
      const st = await victim.status();
      return st.held === null && st.applied?.version === head ? true : undefined;
    }, 'h3 to lift its hold and reach the head');
    await stack.stopHosts(s.pool);
  });
});
