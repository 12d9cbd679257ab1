import { describe, expect, it } from 'vitest';
import { generatedMac } from '../../net/mac.js';
import type { CreateVif } from '../pool.commands.js';
import { replayPool } from '../pool.decider.js';
import type { PoolEvent } from '../pool.events.js';
import { POOL_ID, cmd, ev, given, lab } from '../testing/pool.fixtures.js';

const create = (data: Partial<CreateVif['data']> = {}) =>
  cmd('CreateVif', { vifId: 'vif1', vmId: 'vm1', device: 0, networkId: 'lan', ...data });
const created = (data: Partial<Extract<PoolEvent, { type: 'VifCreated' }>['data']> = {}) =>
  ev('VifCreated', {
    vifId: 'vif1',
    vmId: 'vm1',
    device: 0,
    networkId: 'lan',
    mac: '52:54:00:aa:bb:cc',
    macGenerated: false,
    ipv4: null,
    ipv6: null,
    extraIps: [],
    allowedPairs: [],
    qos: null,
    portSecurity: false,
    ...data,
  });

describe('generated MACs', () => {
  const generate = (vifId: string, device: number) => create({ vifId, device, mac: undefined });
  const decideAndApply = (events: PoolEvent[], vifId: string, device = 0): PoolEvent => {
    const [event] = given(events)
      .when(generate(vifId, device))
      .then([expect.anything() as never]);
    return event!;
  };

  it('come from the pool range, in sequence, marked as generated', () => {
    given(lab)
      .when(generate('vif1', 0))
      .then([created({ mac: generatedMac(POOL_ID, 0), macGenerated: true })]);
    given([...lab, created({ mac: generatedMac(POOL_ID, 0), macGenerated: true })])
      .when(generate('vif2', 1))
      .then([
        created({ vifId: 'vif2', device: 1, mac: generatedMac(POOL_ID, 1), macGenerated: true }),
      ]);
  });

  it('are never reused, even after their VIF is destroyed', () => {
    let events = [...lab];
    const seen = new Set<string>();
    for (let round = 0; round < 5; round++) {
      const event = decideAndApply(events, 'vif1');
      if (event.type !== 'VifCreated') throw new Error('expected VifCreated');
      expect(seen.has(event.data.mac)).toBe(false);
      seen.add(event.data.mac);
      events = [
        ...events,
        event,
        ev('VifDestroyed', { vifId: 'vif1', vmId: 'vm1', networkId: 'lan', mac: event.data.mac }),
      ];
    }
    expect(replayPool(events).macSequence).toBe(5);
  });

  it('skip past a MAC of the range that was given by hand', () => {
    given([...lab, created({ vifId: 'vifx', device: 3, mac: generatedMac(POOL_ID, 41) })])
      .when(generate('vif1', 0))
      .then([created({ mac: generatedMac(POOL_ID, 42), macGenerated: true })]);
  });

  it('lets a destroyed, given MAC be given again', () => {
    given([
      ...lab,
      created({ vifId: 'vifx' }),
      ev('VifDestroyed', {
        vifId: 'vifx',
        vmId: 'vm1',
        networkId: 'lan',
        mac: '52:54:00:aa:bb:cc',
      }),
    ])
      .when(create({ mac: '52:54:00:aa:bb:cc' }))
      .then([created()]);
  });
});
