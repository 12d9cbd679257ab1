import { describe, expect, it } from 'vitest';
import { VSWITCH_SCHEMA } from '../../../testing/vswitch-schema.js';
import { deviceChanges } from '../device-watch.js';
import { Replica } from './replica.js';
import { parseSchema } from './schema.js';

const schema = parseSchema(VSWITCH_SCHEMA);
const COLUMNS = new Map([['Interface', ['name', 'ofport', 'ifindex', 'external_ids']]]);
const U1 = '11111111-1111-1111-1111-111111111111';
const U2 = '22222222-2222-2222-2222-222222222222';
const iface = (name: string, ofport: number, ifindex: number) => ({
  name,
  ofport,
  ifindex,
  external_ids: ['map', []],
});

describe('Replica (monitor updates) and the device changes read from it', () => {
  it('applies inserts, partial modifications and deletes, and says which device came or went', () => {
    const replica = new Replica(schema, COLUMNS);
    const initial = replica.apply({ Interface: { [U1]: { new: iface('p1', 1, 5) } } });
    expect(replica.rows('Interface')).toEqual([{ ...iface('p1', 1, 5), _uuid: ['uuid', U1] }]);
    expect(deviceChanges(initial)).toEqual([{ change: 'insert', name: 'p1', plugged: true }]);

    // The server may send only the changed columns in `new`: the rest of the row stays.
    const inserted = replica.apply({ Interface: { [U2]: { new: { name: 'p2' } } } });
    expect(replica.row('Interface', U2)).toMatchObject({ name: 'p2', ofport: ['set', []] });
    expect(deviceChanges(inserted)).toEqual([{ change: 'insert', name: 'p2', plugged: false }]);
    const plugged = replica.apply({
      Interface: { [U2]: { old: { ofport: ['set', []] }, new: { ofport: 2, ifindex: 7 } } },
    });
    expect(deviceChanges(plugged)).toEqual([{ change: 'modify', name: 'p2', plugged: true }]);
    // The userspace datapath keeps a vanished device's port number and sets ifindex 0.
    const gone = replica.apply({
      Interface: { [U1]: { old: { ifindex: 5 }, new: { ifindex: 0 } } },
    });
    expect(deviceChanges(gone)).toEqual([{ change: 'modify', name: 'p1', plugged: false }]);
    // A change to another column is no device news.
    const renamed = replica.apply({
      Interface: { [U1]: { new: { external_ids: ['map', [['x', 'y']]] } } },
    });
    expect(deviceChanges(renamed)).toEqual([]);
    const deleted = replica.apply({ Interface: { [U2]: { old: iface('p2', 2, 7) } } });
    expect(deviceChanges(deleted)).toEqual([{ change: 'delete', name: 'p2', plugged: false }]);
    expect(replica.rows('Interface').map((r) => r.name)).toEqual(['p1']);
  });

  it('reports what a rebuilt replica (after a reconnection) changed against the old one', () => {
    const before = new Replica(schema, COLUMNS);
    before.apply({
      Interface: { [U1]: { new: iface('p1', 1, 5) }, [U2]: { new: iface('p2', 2, 6) } },
    });
    const after = new Replica(schema, COLUMNS);
    after.apply({ Interface: { [U1]: { new: iface('p1', 1, 0) } } });
    expect(deviceChanges(after.changesSince(before))).toEqual([
      { change: 'modify', name: 'p1', plugged: false },
      { change: 'delete', name: 'p2', plugged: false },
    ]);
  });
});
