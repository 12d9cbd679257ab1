/**
 * Host interfaces in DHCP mode under a steady load of commands (issue 21): every host gets a
 * storage interface on a VLAN of eth1 with DHCPv4 and DHCPv6, while VMs come and go on eth1's
 * networks. The memory datapath's modelled DHCP servers lease each host an address of its own
 * from the segment's pools; each host reports its leases (`interfaces[].leased`), and the
 * consistency checker finds every host's digest the model's for its version (a lease is never
 * part of the desired state).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConsistent } from './support/expect-consistent.js';
import { FaultStack } from './support/fault-stack.js';
import { sleep } from './support/local-process.js';
import { command, describeResult, Scenario } from './support/scenario.js';

let stack: FaultStack;

beforeAll(async () => {
  stack = await FaultStack.start();
});

afterAll(async () => {
  await stack?.close();
});

interface InterfaceStatus {
  name: string;
  leased?: string[];
}

describe('host interfaces over DHCP', () => {
  it('every host leases its own addresses, reports them, and stays consistent under load', async () => {
    const s = await Scenario.start(stack, 'dhcp-interfaces');
    await s.run(1000, 10);
    const sentAt = Date.now();
    for (const host of s.hosts) {
      await command(stack, 'PUT', `/pools/${s.pool}/hosts/${host.name}/interfaces/stor0`, {
        purpose: 'storage',
        device: 'eth1',
        vlan: 77,
        ipv4: { mode: 'dhcp' },
        ipv6: { mode: 'dhcp' },
      });
    }
    await s.run(1000, 10);
    await s.load.stop();
    const leases = new Map<string, string[]>();
    const deadline = Date.now() + 60_000;
    while (leases.size < s.hosts.length) {
      if (Date.now() > deadline)
        throw new Error(`leases reported: ${[...leases.keys()].join(', ')}`);
      for (const host of s.hosts) {
        const status = await host.status().catch(() => undefined);
        const interfaces = (status?.interfaces ?? []) as InterfaceStatus[];
        const leased = interfaces.find((i) => i.name === 'stor0')?.leased;
        if (leased?.length === 2) leases.set(host.name, leased);
      }
      await sleep(100);
    }
    const reportedMs = Date.now() - sentAt;
    const all = [...leases.values()];
    // One server per segment: the same pools on every host, another address on each.
    const pool4 = (a: string) => a.split('.').slice(0, 3).join('.');
    expect(new Set(all.map(([v4]) => pool4(v4!))).size).toBe(1);
    expect(new Set(all.map(([v4]) => v4)).size).toBe(all.length);
    expect(new Set(all.map(([, v6]) => v6)).size).toBe(all.length);
    for (const [v4, v6] of all) {
      expect(v4).toMatch(/^10\.\d+\.\d+\.\d+\/24$/);
      expect(v6).toMatch(/^fd00:[0-9a-f:]+\/128$/);
    }
    const r = await s.finish();
    console.log(
      describeResult(r, {
        'commands sent → every host reports its two leases (ms)': reportedMs,
      }),
    );
    expectConsistent(r);
    await stack.stopHosts(s.pool);
  });
});
