import { describe, expect, it } from 'vitest';
import { PoolFold } from './pool-fold.js';
import { ScriptedPool, scriptFullPool } from '../testing/scripted-pool.js';
import { deriveGroup } from './derive-rows.js';

const AT = '2026-01-01T00:00:00.000Z';

describe('address registry with several addresses per VIF', () => {
  it('holds each further address of a VIF, not its allowed address pairs', () => {
    const pool = new ScriptedPool('p1', () => AT);
    scriptFullPool(pool);
    pool.run('UpdateVif', {
      vifId: 'vif2',
      extraIps: ['192.168.0.12', '2001:db8::12'],
      allowedPairs: [{ ip: '192.168.0.100' }],
    });
    const fold = new PoolFold('p1');
    pool.history.forEach((event, i) => fold.apply(event, i + 1, AT));
    const rows = deriveGroup(fold, 'vm:vm2').addresses!.filter((a) => a.vifId === 'vif2');
    expect(rows.map((a) => [a.slot, a.ip])).toEqual([
      ['ipv4', '192.168.0.2'],
      ['ipv6', '2001:db8::2'],
      ['extra:192.168.0.12', '192.168.0.12'],
      ['extra:2001:db8::12', '2001:db8::12'],
    ]);
  });
});
