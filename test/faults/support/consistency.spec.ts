import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HostReport } from '@pool/contracts';
import { poolDecider, type PoolCommand } from '@pool/domain';
import { hostDesiredState, hostDigest } from '@pool/pool-topology';
import { canonicalJson, normalizeState } from '@pool/vswitch';
import { checkReports, LogReplay, type LoggedEvent } from './consistency.js';

const metadata = { now: '2025-01-02T03:04:05.000Z', actor: 'test' };

/** A pool with one host and a VLAN network, as the log holds it. */
function pool(): LoggedEvent[] {
  const state = poolDecider.initialState();
  const commands = [
    { type: 'CreatePool', data: { poolId: 'p', name: 'p' } },
    {
      type: 'JoinHost',
      data: {
        hostId: 'h1',
        name: 'h1',
        address: '192.0.2.1',
        managementDevice: 'eth0',
        pifs: [
          { device: 'eth0', mac: '00:16:3e:00:01:01', mtu: 1500, speedMbps: 0, carrier: true },
        ],
      },
    },
    {
      type: 'CreateNetwork',
      data: { networkId: 'n', name: 'n', purpose: 'vm', kind: 'external', device: 'eth0', vlan: 7 },
    },
  ].map((c) => ({ ...c, metadata }) as PoolCommand);
  return commands
    .flatMap((command) =>
      poolDecider.decide(command, state).map((event) => {
        poolDecider.evolve(state, event);
        return event;
      }),
    )
    .map((event, i) => ({
      version: i + 1,
      eventId: `e${i + 1}`,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data,
      commandId: null,
    }));
}

const report = (events: LoggedEvent[], digest: string): HostReport => ({
  pool: 'p',
  host: 'h1',
  appliedVersion: events.length,
  digest,
  at: metadata.now,
});

describe('checkReports', () => {
  it('tells a digest of another scheme from a host in another state', () => {
    const events = pool();
    const state = new LogReplay(events).stateAt(events.length);
    const expected = hostDigest(state, 'h1');
    // Scheme 1, as a host of the release before reports it: the whole state's sha256, bare.
    const v1 = createHash('sha256')
      .update(canonicalJson(normalizeState(hostDesiredState(state, 'h1'))))
      .digest('hex');
    const other = `v2:${'0'.repeat(64)}`;
    const verdict = checkReports(
      [report(events, expected), report(events, v1), report(events, other)],
      events,
    );
    expect(verdict.checked).toBe(3);
    expect(verdict.mismatches.map((m) => [m.reported, m.reason])).toEqual([
      [v1, 'digest scheme differs'],
      [other, 'drift'],
    ]);
  });
});
