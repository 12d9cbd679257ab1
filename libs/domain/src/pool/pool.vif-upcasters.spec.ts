import { describe, expect, it } from 'vitest';
import { replayPool } from './pool.decider.js';
import type { PoolEvent } from './pool.events.js';
import { upcastPoolEvent } from './pool.upcasters.js';
import storedV1 from './testing/fixtures/pool-events.v1.json' with { type: 'json' };

describe('VIF events written before several addresses per VIF', () => {
  it.each(['VifCreated', 'VifUpdated'])(
    'read a stored v1 %s as v2 without further addresses',
    (type) => {
      const v1 = storedV1.find((event) => event.type === type)!;
      expect(upcastPoolEvent(v1)).toEqual({
        type,
        schemaVersion: 2,
        data: { ...v1.data, extraIps: [], allowedPairs: [] },
      });
    },
  );

  it('reads a v2 event as it is', () => {
    const v1 = storedV1.find((event) => event.type === 'VifCreated')!;
    const data = {
      ...v1.data,
      extraIps: ['10.0.0.9'],
      allowedPairs: [{ ip: '10.0.0.50', mac: null }],
    };
    const v2 = { type: 'VifCreated', schemaVersion: 2, data };
    expect(upcastPoolEvent(v2)).toEqual(v2);
  });

  it('replays a v1 log into VIFs that own their one address per family and nothing more', () => {
    const events: PoolEvent[] = storedV1
      .filter((e) => !e.type.endsWith('Destroyed'))
      .map((e) => upcastPoolEvent(e));
    const state = replayPool(events);
    const vif = state.vifs.get('vif1');
    expect(vif).toMatchObject({ extraIps: [], allowedPairs: [] });
    expect(state.indexes.vifByIp.size).toBe([vif?.ipv4, vif?.ipv6].filter(Boolean).length);
  });
});
