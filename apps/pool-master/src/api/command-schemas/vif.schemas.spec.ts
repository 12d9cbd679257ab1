import { describe, expect, it } from 'vitest';
import { validateCommand } from '../validate-command.js';

/** The schema every transport shares (REST bodies, NATS requests, gRPC data_json). */
describe('VIF addresses in CreateVif and UpdateVif', () => {
  const base = { vifId: 'v1', vmId: 'vm1', networkId: 'n1' };

  it('accepts further addresses and address pairs, with or without a MAC', () => {
    for (const [type, ids] of [
      ['CreateVif', base],
      ['UpdateVif', { vifId: 'v1' }],
    ] as const) {
      expect(() =>
        validateCommand(type, {
          ...ids,
          extraIps: ['192.0.2.11', '2001:db8::11'],
          allowedPairs: [{ ip: '192.0.2.100' }, { ip: '192.0.2.101', mac: '00:00:5e:00:01:01' }],
        }),
      ).not.toThrow();
    }
  });

  it.each([
    ['extraIps not a list', { extraIps: '192.0.2.11' }],
    ['extraIps over the limit', { extraIps: Array.from({ length: 9 }, (_, i) => `192.0.2.${i}`) }],
    ['a pair without ip', { allowedPairs: [{ mac: '00:00:5e:00:01:01' }] }],
    ['a pair that is not an object', { allowedPairs: ['192.0.2.100'] }],
  ])('refuses %s', (_, data) => {
    expect(() => validateCommand('CreateVif', { ...base, ...data })).toThrow();
  });
});
