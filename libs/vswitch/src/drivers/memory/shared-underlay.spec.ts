import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { desiredState } from '../../model/desired-state.js';
import { tunnelPortName } from '../../model/naming.js';
import { reconcile } from '../../reconcile.js';
import { topology } from '../../testing/topology-builder.js';
import { MemoryVSwitchDriver } from './memory-driver.js';
import { SharedUnderlay } from './shared-underlay.js';

const HOSTS = ['h1', 'h2', 'h3'] as const;
type Host = (typeof HOSTS)[number];
const BFD_MS = 100;

/** Overlay `ov` (VNI 7) with a VM on each of the three hosts: a full mesh. */
const pool = () => {
  const t = topology().overlay('ov', 7);
  HOSTS.forEach((host, i) => {
    t.host(host).tunnel(host, `192.0.2.${i + 1}`);
    t.vm(`vm${i}`, host).vif(`v${i}`, `vm${i}`, 'ov', { ipv4: `10.0.0.${i + 1}` });
  });
  return t.build();
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'poolnet-underlay-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/**
 * Three hosts as three processes would be: each its own driver and its own reader of the
 * directory, on one hand-moved clock.
 */
async function hostsOnDir() {
  const clock = { now: 5_000_000 };
  const running = new Map<Host, MemoryVSwitchDriver>();
  const boot = async (host: Host) => {
    const driver = new MemoryVSwitchDriver(undefined, {
      host,
      underlay: new SharedUnderlay(dir),
      bfdMs: BFD_MS,
      clock: () => clock.now,
    });
    await reconcile(driver, desiredState(pool(), host));
    running.set(host, driver);
  };
  for (const host of HOSTS) await boot(host);
  /** Moves time on; every running host beats (reads its BFD), as its timer would. */
  const tick = async (ms: number) => {
    clock.now += ms;
    for (const driver of running.values()) await driver.tunnelLiveness();
  };
  /** `host`'s view: `remote: state` for each of its tunnels. */
  const seen = async (host: Host) => {
    const read = await running.get(host)!.tunnelLiveness();
    return HOSTS.filter((h) => h !== host).map(
      (remote) => `${remote}: ${read.get(tunnelPortName('ov', remote))?.state}`,
    );
  };
  const stop = (host: Host) => {
    running.get(host)!.close();
    running.delete(host);
  };
  return { tick, seen, stop, boot, running };
}

describe('shared underlay: BFD between member-host processes (issue 19)', () => {
  it("reads a stopped host's tunnels down on its peers after the detect time, up once it beats again", async () => {
    const { tick, seen, stop, boot } = await hostsOnDir();
    await tick(0);
    expect(await seen('h1')).toEqual(['h2: up', 'h3: up']);
    stop('h3');
    await tick(2 * BFD_MS); // two beats missed: not yet
    expect(await seen('h1')).toEqual(['h2: up', 'h3: up']);
    await tick(BFD_MS);
    expect(await seen('h1')).toEqual(['h2: up', 'h3: down']);
    expect(await seen('h2')).toEqual(['h1: up', 'h3: down']);

    await boot('h3');
    await tick(0);
    expect(await seen('h1')).toEqual(['h2: up', 'h3: up']);
    expect(await seen('h3')).toEqual(['h1: up', 'h2: up']);
  });

  it('reads a cut between two hosts down on both, the third host up, and heals', async () => {
    const { tick, seen } = await hostsOnDir();
    await tick(0);
    const test = new SharedUnderlay(dir);
    await test.partition('h1', 'h2');
    await tick(3 * BFD_MS);
    expect(await seen('h1')).toEqual(['h2: down', 'h3: up']);
    expect(await seen('h2')).toEqual(['h1: down', 'h3: up']);
    expect(await seen('h3')).toEqual(['h1: up', 'h2: up']);
    await test.heal('h2', 'h1');
    await tick(0);
    expect(await seen('h1')).toEqual(['h2: up', 'h3: up']);
    expect(await seen('h2')).toEqual(['h1: up', 'h3: up']);
  });

  it('hears nothing from a host whose switch lacks the tunnel back', async () => {
    const { tick, seen, running } = await hostsOnDir();
    await tick(0);
    running.get('h3')!.drift.deletePort(tunnelPortName('ov', 'h1'));
    await tick(3 * BFD_MS);
    expect(await seen('h1')).toEqual(['h2: up', 'h3: down']);
    expect(await seen('h2')).toEqual(['h1: up', 'h3: up']);
  });
});
