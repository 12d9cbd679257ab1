import { describe, expect, it } from 'vitest';
import {
  DATA_KEYS,
  endpointUrl,
  keysForChange,
  VIEWS,
  VIEW_INPUTS,
  viewsFor,
} from './data-keys.js';

describe('data keys', () => {
  it('refetches the pool summary and what a change kind touches', () => {
    expect(keysForChange(['vifs']).sort()).toEqual(['counters', 'pool', 'switch', 'vms']);
    expect(keysForChange(['acls']).sort()).toEqual(['acls', 'pool']);
    expect(keysForChange(['migrations'])).toEqual(
      expect.arrayContaining(['migrations', 'vms', 'switch']),
    );
  });

  it('refetches everything for a kind it does not know', () => {
    expect(keysForChange(['something-new']).sort()).toEqual([...DATA_KEYS].sort());
  });

  it('redraws every view that reads a changed key', () => {
    expect(viewsFor(['hosts'])).toEqual(VIEWS.filter((v) => VIEW_INPUTS[v].includes('hosts')));
    expect(viewsFor(['acls'])).toEqual(['policy']);
  });

  it('builds endpoint URLs under /api/pools/:pool with the id encoded', () => {
    expect(endpointUrl('p 1/x', 'switch')).toBe('/api/pools/p%201%2Fx/switch');
    expect(endpointUrl('p1', 'pool')).toBe('/api/pools/p1');
  });
});
