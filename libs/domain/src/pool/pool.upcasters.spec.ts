import { describe, expect, it } from 'vitest';
import { POOL_EVENT_SCHEMA_VERSIONS } from './pool.events.js';
import { UpcastError, createUpcaster, upcastPoolEvent } from './pool.upcasters.js';
import storedV1 from './testing/fixtures/pool-events.v1.json' with { type: 'json' };

describe('upcastPoolEvent', () => {
  it('has a v1 fixture for every event type', () => {
    expect(storedV1.map((event) => event.type).sort()).toEqual(
      Object.keys(POOL_EVENT_SCHEMA_VERSIONS).sort(),
    );
  });

  // Types past v1 have their own tests (VIF addresses: pool.vif-upcasters.spec.ts).
  const upcast = new Set([
    'AclRuleCreated',
    'HostInterfaceConfigured',
    'MigrationRequested',
    'MigrationPrepared',
    'MigrationActivated',
    'VifCreated',
    'VifUpdated',
  ]);
  const unchanged = storedV1.filter(({ type }) => !upcast.has(type));

  it.each(unchanged)('reads a stored v1 $type as it is', (stored) => {
    expect(upcastPoolEvent(stored)).toEqual(stored);
  });

  const noRemote = { addressSetId: null, remoteGroupId: null };

  // The v1 fixture's rule is `ingress`: up to v3, traffic the VM sends.
  const fromVm = { direction: 'from-vm' };

  it('reads a v1 AclRuleCreated as v4: stateful, reject as the drop it always was, no set or group, from the VM', () => {
    const v1 = storedV1.find(({ type }) => type === 'AclRuleCreated')!;
    const data = v1.data as Record<string, unknown> & { match: object };
    expect(data.direction).toBe('ingress');
    const match = { ...data.match, ...noRemote };
    expect(upcastPoolEvent(v1)).toEqual({
      type: 'AclRuleCreated',
      schemaVersion: 4,
      data: { ...data, ...fromVm, match, stateless: false },
    });
    const reject = { ...v1, data: { ...data, action: 'reject' } };
    expect(upcastPoolEvent(reject).data).toEqual({
      ...data,
      ...fromVm,
      match,
      action: 'drop',
      stateless: false,
    });
  });

  it('reads a v2 AclRuleCreated as v4: its remote is its CIDR or any, never a set or group', () => {
    const data = storedV1.find(({ type }) => type === 'AclRuleCreated')!.data as { match: object };
    const v2 = { type: 'AclRuleCreated', schemaVersion: 2, data: { ...data, stateless: true } };
    expect(upcastPoolEvent(v2)).toEqual({
      type: 'AclRuleCreated',
      schemaVersion: 4,
      data: { ...data, ...fromVm, match: { ...data.match, ...noRemote }, stateless: true },
    });
  });

  it.each([
    ['ingress', 'from-vm'],
    ['egress', 'to-vm'],
  ])('reads a v3 AclRuleCreated %s as v4 %s: the traffic it always matched', (old, now) => {
    const data = storedV1.find(({ type }) => type === 'AclRuleCreated')!.data as { match: object };
    const v3Data = {
      ...data,
      direction: old,
      match: { ...data.match, cidr: null, addressSetId: 'as-1', remoteGroupId: null },
      stateless: false,
    };
    expect(upcastPoolEvent({ type: 'AclRuleCreated', schemaVersion: 3, data: v3Data })).toEqual({
      type: 'AclRuleCreated',
      schemaVersion: 4,
      data: { ...v3Data, direction: now },
    });
  });

  it('reads a v4 AclRuleCreated as it is', () => {
    const data = storedV1.find(({ type }) => type === 'AclRuleCreated')!.data as { match: object };
    const v4 = {
      type: 'AclRuleCreated',
      schemaVersion: 4,
      data: {
        ...data,
        direction: 'to-vm',
        match: { ...data.match, ...noRemote },
        stateless: false,
      },
    };
    expect(upcastPoolEvent(v4)).toEqual(v4);
  });

  it('reads a v1 MigrationPrepared and MigrationActivated as v2: the coordinator activates', () => {
    const prepared = storedV1.find(({ type }) => type === 'MigrationPrepared')!;
    expect(upcastPoolEvent(prepared)).toEqual({
      type: 'MigrationPrepared',
      schemaVersion: 2,
      data: { ...prepared.data, activation: 'coordinator' },
    });
    const activated = storedV1.find(({ type }) => type === 'MigrationActivated')!;
    expect(upcastPoolEvent(activated)).toEqual({
      type: 'MigrationActivated',
      schemaVersion: 2,
      data: { ...activated.data, activatedBy: 'coordinator', announcedAt: null },
    });
  });

  it('reads a v1 MigrationRequested as v2, not accepting isolation from private peers', () => {
    const v1 = storedV1.find(({ type }) => type === 'MigrationRequested')!;
    expect(v1.data).not.toHaveProperty('acceptIsolation');
    expect(upcastPoolEvent(v1)).toEqual({
      type: 'MigrationRequested',
      schemaVersion: 2,
      data: { ...v1.data, acceptIsolation: false },
    });
    const v2 = { ...v1, schemaVersion: 2, data: { ...v1.data, acceptIsolation: true } };
    expect(upcastPoolEvent(v2)).toEqual(v2);
  });

  it('reads a v1 HostInterfaceConfigured as v2, replacing no other interface', () => {
    const v1 = storedV1.find(({ type }) => type === 'HostInterfaceConfigured')!;
    expect(v1.data).not.toHaveProperty('replaces');
    expect(upcastPoolEvent(v1)).toEqual({
      type: 'HostInterfaceConfigured',
      schemaVersion: 2,
      data: { ...v1.data, replaces: null },
    });
    const v2 = { ...v1, schemaVersion: 2, data: { ...v1.data, replaces: 'eth0' } };
    expect(upcastPoolEvent(v2)).toEqual(v2);
  });

  it.each([
    ['an unknown type', { type: 'PoolExploded', schemaVersion: 1, data: {} }],
    ['a version from the future', { type: 'PoolRenamed', schemaVersion: 2, data: {} }],
    ['version 0', { type: 'PoolRenamed', schemaVersion: 0, data: {} }],
    ['a fractional version', { type: 'PoolRenamed', schemaVersion: 1.5, data: {} }],
    ['a prototype key', { type: 'toString', schemaVersion: 1, data: {} }],
  ])('refuses %s', (_, stored) => {
    expect(() => upcastPoolEvent(stored)).toThrow(UpcastError);
  });
});

describe('createUpcaster', () => {
  // How a later change will look: NameSet v1 had `name`, v2 split it, v3 added `source`.
  const upcast = createUpcaster<{ type: string; schemaVersion: number; data: unknown }>(
    { NameSet: 3 },
    {
      NameSet: {
        1: (data) => {
          const [first, last] = String((data as { name: string }).name).split(' ');
          return { first, last };
        },
        2: (data) => ({ ...(data as object), source: 'unknown' }),
      },
    },
  );

  it('chains the steps from the stored version to the current one', () => {
    expect(upcast({ type: 'NameSet', schemaVersion: 1, data: { name: 'Ada Lovelace' } })).toEqual({
      type: 'NameSet',
      schemaVersion: 3,
      data: { first: 'Ada', last: 'Lovelace', source: 'unknown' },
    });
    expect(
      upcast({ type: 'NameSet', schemaVersion: 3, data: { first: 'A', last: 'L', source: 'hr' } }),
    ).toEqual({ type: 'NameSet', schemaVersion: 3, data: { first: 'A', last: 'L', source: 'hr' } });
  });

  it('refuses a gap in the chain', () => {
    const gappy = createUpcaster({ NameSet: 3 }, { NameSet: { 1: (data) => data } });
    expect(() => gappy({ type: 'NameSet', schemaVersion: 1, data: {} })).toThrow(/no upcaster/);
  });
});
