import fc from 'fast-check';
import type { PoolEvent, PoolEventOf } from '@pool/domain';
import { describe, expect, it } from 'vitest';
import { commands, decideAll } from '../../../../../libs/pool-topology/src/testing/random-pool.js';
import { LOG_TABLES, rowKey, type LogTableName } from '../read-model-tables.js';
import { ChangeSet, RowCache } from '../row-diff.js';
import { ScriptedPool, scriptFullPool } from '../testing/scripted-pool.js';
import { deriveGroup } from './derive-rows.js';
import { deriveAllRows } from './fold-log.js';
import { PoolFold } from './pool-fold.js';

const AT = '2025-03-04T05:06:07.000Z';

function foldAll(events: PoolEvent[], poolId = 'p1'): PoolFold {
  const fold = new PoolFold(poolId);
  events.forEach((event, i) => fold.apply(event, i + 1, AT));
  return fold;
}

function scriptedEvents(): PoolEvent[] {
  const pool = new ScriptedPool('p1', () => AT);
  scriptFullPool(pool);
  return pool.history;
}

const scripted = (): PoolFold => foldAll(scriptedEvents());

/** Folds in batches as the projector does and applies each batch's diff to in-memory tables. */
function projectIncrementally(events: PoolEvent[], batchSizes: number[]) {
  const fold = new PoolFold('p1');
  const cache = new RowCache();
  const tables = new Map<LogTableName, Map<string, object>>();
  let version = 0;
  let size = 0;
  for (let i = 0; i < events.length; i += size) {
    size = batchSizes[version % batchSizes.length] ?? 1;
    const groups = new Set<string>();
    for (const event of events.slice(i, i + size)) {
      for (const group of fold.apply(event, ++version, AT)) groups.add(group);
    }
    const changes = new ChangeSet();
    for (const group of groups) cache.diff('p1', group, deriveGroup(fold, group), changes);
    for (const [table, rows] of changes.deletes) {
      for (const row of rows) tables.get(table)?.delete(rowKey(LOG_TABLES[table], row));
    }
    for (const [table, rows] of changes.upserts) {
      const map = tables.get(table) ?? new Map<string, object>();
      tables.set(table, map);
      for (const row of rows) map.set(rowKey(LOG_TABLES[table], row), structuredClone(row));
    }
    cache.commit(changes);
  }
  return { fold, tables };
}

const asTables = (rows: ReturnType<typeof deriveAllRows>) =>
  new Map(
    (Object.keys(rows) as LogTableName[]).map((table) => [
      table,
      new Map((rows[table] as object[]).map((row) => [rowKey(LOG_TABLES[table], row), row])),
    ]),
  );

const nonEmpty = (tables: Map<LogTableName, Map<string, object>>) =>
  new Map([...tables].filter(([, rows]) => rows.size > 0));

describe('row derivation', () => {
  it('derives the pool row with its version and counts', () => {
    const fold = scripted();
    const [pool] = deriveGroup(fold, 'pool').pools!;
    expect(pool).toMatchObject({
      poolId: 'p1',
      name: 'renamed p1',
      version: fold.version,
      hosts: 3,
      networks: 3,
      vms: 3,
      vifs: 4,
      migrationsActive: 1,
    });
  });

  it('gives each NIC the traffic it carries and advises where traffic types share one', () => {
    const rows = deriveGroup(scripted(), 'host:h2');
    const eth0 = rows.pifs!.find((p) => p.device === 'eth0')!;
    expect(eth0).toMatchObject({ role: 'management', roles: ['management', 'storage', 'vm'] });
    expect(rows.pifs!.find((p) => p.device === 'eth1')).toMatchObject({
      role: 'storage',
      roles: ['storage'],
      mtu: 9000,
    });
    expect(rows.advice).toEqual([
      {
        poolId: 'p1',
        hostId: 'h2',
        device: 'eth0',
        traffic: ['management', 'storage', 'vm'],
        message: expect.stringContaining('eth0 carries management, storage and vm traffic'),
      },
    ]);
    expect(rows.uplinks!.map((u) => [u.networkId, u.device, u.vlan]).sort()).toEqual([
      ['n-storage', 'eth0', 200],
      ['n-vm', 'eth0', 100],
    ]);
    expect(rows.hosts).toEqual([
      expect.objectContaining({ id: 'h2', enabled: true, management: 'eth0' }),
    ]);
  });

  it('advises from the configured interfaces, not the management label, once there are any', () => {
    const moved: PoolEventOf<'HostInterfaceConfigured'> = {
      type: 'HostInterfaceConfigured',
      schemaVersion: 2,
      data: {
        hostId: 'h2',
        interface: {
          name: 'mgmt0',
          purpose: 'management',
          device: 'eth1',
          vlan: 30,
          placement: 'internal',
          ipv4: { mode: 'dhcp' },
          ipv6: { mode: 'none' },
          dns: [],
        },
        replaces: null,
      },
    };
    const rows = deriveGroup(foldAll([...scriptedEvents(), moved]), 'host:h2');
    expect(rows.pifs!.find((p) => p.device === 'eth0')).toMatchObject({
      role: 'management',
      roles: ['storage', 'vm'],
    });
    expect(rows.pifs!.find((p) => p.device === 'eth1')?.roles).toEqual(['management', 'storage']);
    expect(rows.advice!.map((a) => [a.device, a.traffic])).toEqual([
      ['eth0', ['storage', 'vm']],
      ['eth1', ['management', 'storage']],
    ]);
    expect(rows.hosts![0]!.interfaces).toEqual([moved.data.interface]);
  });

  it('links bond members to their bond and keeps a NIC with one traffic type out of advice', () => {
    const rows = deriveGroup(scripted(), 'host:h1');
    expect(rows.bonds).toEqual([
      {
        poolId: 'p1',
        id: 'b2',
        hostId: 'h1',
        device: 'bond1',
        members: ['eth2', 'eth3'],
        mode: 'lacp',
      },
    ]);
    expect(rows.pifs!.filter((p) => p.bondId === 'b2').map((p) => p.device)).toEqual([
      'eth2',
      'eth3',
    ]);
    expect(rows.advice!.map((a) => a.device)).toEqual(['eth0']);
  });

  it('fills the address registry: one row per IP, or one without IP, on the resident host', () => {
    const fold = scripted();
    const addresses = (vm: string) => deriveGroup(fold, `vm:${vm}`).addresses!;
    expect(addresses('vm2').map((a) => [a.vifId, a.slot, a.ip, a.hostId])).toEqual([
      ['vif2', 'ipv4', '192.168.0.2', 'h1'],
      ['vif2', 'ipv6', '2001:db8::2', 'h1'],
    ]);
    expect(addresses('vm1').find((a) => a.vifId === 'vif1b')).toMatchObject({
      slot: 'mac',
      ip: null,
    });
    // vm3 migrated h2 → h3: the registry follows it.
    expect(addresses('vm3')).toEqual([
      expect.objectContaining({ hostId: 'h3', ip: '192.168.0.3' }),
    ]);
    expect(deriveGroup(fold, 'vm:vm3').vifs![0]!.qos).toEqual({
      ingressKbps: 1000,
      ingressBurstKb: 100,
      egressKbps: 2000,
      egressBurstKb: 200,
    });
  });

  it('keeps finished migrations with the version of every step', () => {
    const fold = scripted();
    const [done] = deriveGroup(fold, 'migration:mig1').migrations!;
    expect(done).toMatchObject({ status: 'completed', fromHostId: 'h2', toHostId: 'h3' });
    const steps = [
      done!.requestedVersion,
      done!.preparedVersion,
      done!.activatedVersion,
      done!.completedVersion,
    ];
    expect(steps.every((v, i) => i === 0 || v! > steps[i - 1]!)).toBe(true);
    expect(done!.abortedVersion).toBeNull();
    expect(deriveGroup(fold, 'migration:mig2').migrations![0]).toMatchObject({
      status: 'aborted',
      reason: 'target never reported ready',
      preparedVersion: null,
    });
    expect(deriveGroup(fold, 'migration:mig3').migrations![0]).toMatchObject({
      status: 'prepared',
    });
  });

  it('derives nothing for deleted objects, cascades included', () => {
    const fold = scripted();
    for (const group of [
      'vm:vm4',
      'host:h4',
      'network:n-gone',
      'acl:acl2',
      'acl:acl3',
      'mirror:m2',
      'mirror:m3',
      'address-set:as-gone',
      'security-group:sg-gone',
      'acl:sg-gone-in',
      'mirror:m-gone',
    ]) {
      expect(deriveGroup(fold, group)).toEqual({});
    }
    expect(deriveGroup(fold, 'acl:acl1').aclRules).toHaveLength(1);
  });

  it('derives address sets, security groups with their members, and rules on groups', () => {
    const fold = scripted();
    expect(deriveGroup(fold, 'address-set:as-admin')).toEqual({
      addressSets: [
        {
          poolId: 'p1',
          id: 'as-admin',
          name: 'admins',
          cidrs: ['10.0.0.0/8', '192.168.10.5/32', '2001:db8::/32'],
        },
      ],
    });
    // vif3 was removed, vif4 left with its VM: the members that remain.
    expect(deriveGroup(fold, 'security-group:sg-web')).toEqual({
      securityGroups: [{ poolId: 'p1', id: 'sg-web', name: 'web', defaultPolicy: 'deny' }],
      securityGroupMembers: [
        { poolId: 'p1', groupId: 'sg-web', vifId: 'vif1' },
        { poolId: 'p1', groupId: 'sg-web', vifId: 'vif2' },
      ],
    });
    expect(deriveGroup(fold, 'acl:sg-web-https').aclRules).toEqual([
      expect.objectContaining({
        scopeKind: 'group',
        scopeId: 'sg-web',
        cidr: null,
        addressSetId: 'as-admin',
        remoteGroupId: null,
        stateless: false,
      }),
    ]);
    expect(deriveGroup(fold, 'acl:sg-db-pg').aclRules).toEqual([
      expect.objectContaining({ scopeId: 'sg-db', remoteGroupId: 'sg-web', stateless: true }),
    ]);
    expect(deriveGroup(fold, 'network:n-vm').networks![0]!.aclDefault).toBe('deny');
    expect(deriveGroup(fold, 'network:n-priv').networks![0]!.aclDefault).toBe('allow');
  });

  it('says whether each mirror copies now, and why not, from the log', () => {
    // m1 (network n-vm) copies to vif1b, whose VM is between prepared and activated.
    expect(deriveGroup(scripted(), 'mirror:m1').mirrors).toEqual([
      expect.objectContaining({
        id: 'm1',
        state: 'inactive',
        monitorHostId: null,
        problems: [
          {
            code: 'MONITOR_NOT_FORWARDING',
            message: 'monitor VM vm1 is migrating: no port of it forwards yet',
          },
        ],
      }),
    ]);
    // Once it forwards on h2, each source not copied is named, not left out: those on h1 and h3
    // (no tunnel endpoints), and vm1's own n-vm VIF beside it on h2 (another bridge).
    const pool = new ScriptedPool('p1', () => AT);
    scriptFullPool(pool);
    pool.run('ActivateMigration', { migrationId: 'mig3' });
    const fold = foldAll(pool.history);
    const [row] = deriveGroup(fold, 'mirror:m1').mirrors!;
    expect(row).toMatchObject({ monitorHostId: 'h2', state: 'inactive' });
    expect(row!.problems.map((p) => [p.code, p.host])).toEqual([
      ['NO_TUNNEL_ENDPOINT', 'h1'],
      ['SOURCE_ON_OTHER_NETWORK', 'h2'],
      ['NO_TUNNEL_ENDPOINT', 'h3'],
    ]);
    // A VM event re-derives every mirror: its status may follow the VM.
    expect(new PoolFold('p1').apply(pool.history[0]!, 1, AT)).toEqual(['pool']);
    expect(
      fold.apply({ type: 'VmStopped', data: { vmId: 'vm2' } } as PoolEvent, fold.version + 1, AT),
    ).toContain('mirror:m1');
  });

  it('names the groups a membership change touches: the group alone', () => {
    const fold = scripted();
    const groups = fold.apply(
      {
        type: 'SecurityGroupMemberAdded',
        schemaVersion: 1,
        data: { groupId: 'sg-db', vifId: 'vif1' },
      },
      fold.version + 1,
      AT,
    );
    expect(groups).toEqual(['pool', 'security-group:sg-db']);
  });

  it('names the groups an event touches: a network reaches every host', () => {
    const fold = scripted();
    const groups = fold.apply(
      {
        type: 'NetworkCreated',
        schemaVersion: 1,
        data: { networkId: 'n9', name: 'n9', purpose: 'vm', mtu: 1500, kind: 'private' },
      },
      fold.version + 1,
      AT,
    );
    expect(groups).toEqual(['pool', 'network:n9', 'host:h1', 'host:h2', 'host:h3']);
  });
});

describe('incremental projection', () => {
  it('writes exactly the rows a full derivation holds, for any batching', () => {
    const events = scriptedEvents();
    for (const sizes of [[1], [7], [3, 1, 20], [events.length]]) {
      const { fold, tables } = projectIncrementally(events, sizes);
      expect(nonEmpty(tables)).toEqual(nonEmpty(asTables(deriveAllRows([fold]))));
    }
  });

  it('holds for random pools (property)', () => {
    fc.assert(
      fc.property(
        commands(60),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
        (cmds, sizes) => {
          const { events } = decideAll(cmds);
          const { fold, tables } = projectIncrementally(events, sizes);
          expect(nonEmpty(tables)).toEqual(nonEmpty(asTables(deriveAllRows([fold]))));
        },
      ),
      { numRuns: 150 },
    );
  });
});
