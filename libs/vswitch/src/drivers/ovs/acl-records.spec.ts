import { describe, expect, it } from 'vitest';
import type { AclRule } from '../../model/host-state.js';
import {
  aclRecordCommands,
  BridgeAclRecords,
  unreferencedRecords,
  withoutRepeatedRecords,
} from './acl-records.js';
import { EXT } from './ovsdb-commands.js';

const rule = (id: string, portFrom: number): AclRule => ({
  id,
  direction: 'ingress',
  priority: 100,
  match: { protocol: 'tcp', portFrom },
  action: 'allow',
});

/** Plays `set`/`remove` of external_ids as ovs-vsctl would, per record (table + name). */
function play(commands: string[][]) {
  const db = new Map<string, Map<string, string>>();
  const row = (table: string, name: string) => {
    const key = `${table}/${name}`;
    if (!db.has(key)) db.set(key, new Map());
    return db.get(key)!;
  };
  for (const [verb, table = '', name = '', ...rest] of commands) {
    if (verb === 'set') {
      for (const arg of rest) {
        const [, key = '', value = ''] = /^external_ids:([^=]+)=(.*)$/s.exec(arg) ?? [];
        if (key) row(table, name).set(key, JSON.parse(value) as string);
      }
    } else if (verb === 'remove') {
      for (const key of rest.slice(1)) row(table, name).delete(key);
    }
  }
  return { bridge: row('Bridge', 'br'), port: (p: string) => row('Interface', p) };
}

describe('ACL records', () => {
  const shared = [rule('a', 22), rule('b', 80)];

  it("stores each rule's content once per bridge and each port's hashes, read back in order", () => {
    const commands = ['p1', 'p2'].flatMap((p) =>
      aclRecordCommands('br', p, [...shared].reverse(), []).map((step) => ({ step })),
    );
    const kept = withoutRepeatedRecords(commands).map((c) => c.step);
    expect(kept.filter((c) => c[1] === 'Bridge')).toHaveLength(2);
    const db = play(kept);
    const records = new BridgeAclRecords(db.bridge);
    expect(records.portRules(db.port('p1'))).toEqual([rule('b', 80), rule('a', 22)]);
    expect(records.portRules(db.port('p2'))).toEqual([rule('b', 80), rule('a', 22)]);
    expect(db.port('p1').get(EXT.aclRules)?.length).toBeLessThan(40);
  });

  it('keeps two contents under one id apart', () => {
    const db = play([
      ...aclRecordCommands('br', 'p1', [rule('a', 22)], []),
      ...aclRecordCommands('br', 'p2', [rule('a', 23)], []),
    ]);
    const records = new BridgeAclRecords(db.bridge);
    expect(records.portRules(db.port('p1'))).toEqual([rule('a', 22)]);
    expect(records.portRules(db.port('p2'))).toEqual([rule('a', 23)]);
  });

  it('reads a port written before (its list as JSON) and replaces that key on the next write', () => {
    const old = new Map([[EXT.acls, JSON.stringify(shared)]]);
    expect(new BridgeAclRecords(new Map()).portRules(old)).toEqual(shared);
    const commands = aclRecordCommands('br', 'p1', shared, []);
    expect(commands).toContainEqual(['remove', 'Interface', 'p1', 'external_ids', EXT.acls]);
  });

  it('reads a port whose rule record is gone as unknown, and no rules as none', () => {
    const db = play(aclRecordCommands('br', 'p1', shared, []));
    const lost = new Map([...db.bridge].slice(1));
    expect(new BridgeAclRecords(lost).portRules(db.port('p1'))).toBeUndefined();
    expect(new BridgeAclRecords(db.bridge).portRules(new Map())).toEqual([]);
  });

  it('names the records no port refers to any more', () => {
    const db = play([
      ...aclRecordCommands('br', 'p1', shared, []),
      ...aclRecordCommands('br', 'p2', [rule('c', 25)], []),
      ...aclRecordCommands('br', 'p2', [rule('a', 22)], []),
    ]);
    const stale = unreferencedRecords(db.bridge, [db.port('p1'), db.port('p2')]);
    expect(stale).toHaveLength(1);
    expect(db.bridge.get(stale[0]!)).toBe(JSON.stringify(rule('c', 25)));
  });
});
