import { describe, expect, it } from 'vitest';
import type { AclRule } from '../../model/host-state.js';
import { aclFlowChanges as changesTo, installed } from './acl-flow-changes.js';
import { aclFlows } from './acl-flows.js';

const MAC = '02:00:00:00:00:01';
const rule = (id: string, priority: number, cidr?: string): AclRule => ({
  id,
  direction: 'egress',
  priority,
  match: { protocol: 'tcp', portFrom: 22, ...(cidr ? { remotes: [cidr] } : {}) },
  action: 'allow',
});
const rules = Array.from({ length: 10 }, (_, i) => rule(`r${i}`, 100 + i));
const aclFlowChanges = (previous: string[], next: string[]) => changesTo(previous, installed(next));
const flowsOf = (acls: AclRule[], mac = MAC) => aclFlows('br', 'p', mac, acls);

/** Plays bundle lines on a table keyed as OpenFlow keys flows (table, priority, match). */
function play(table: Map<string, string>, lines: string[]) {
  const key = (spec: string) =>
    spec.replace(/^cookie=0x[0-9a-f]+(\/-1)?,/, '').replace(/,actions=.*$/s, '');
  for (const line of lines) {
    const [verb, spec = ''] = line.split(/ (.*)/s);
    if (verb === 'add') table.set(key(spec), spec);
    else if (verb === 'delete_strict') {
      const cookie = /^cookie=(0x[0-9a-f]+)\/-1,/.exec(spec)?.[1];
      const held = table.get(key(spec));
      if (held?.startsWith(`cookie=${cookie},`)) table.delete(key(spec));
    } else throw new Error(`unexpected line ${line}`);
  }
  return table;
}
const tableOf = (lines: string[]) => play(new Map(), lines);

describe('aclFlowChanges', () => {
  it('adds only the flows of a rule added among ten, and deletes nothing', () => {
    const next = [rule('new', 150), ...rules];
    const lines = aclFlowChanges(flowsOf(rules), flowsOf(next));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.startsWith('add ') && l.includes('priority=10150'))).toBe(true);
    expect(play(tableOf(flowsOf(rules)), lines)).toEqual(tableOf(flowsOf(next)));
  });

  it('deletes, strictly and by exact cookie, only the flows of a removed rule', () => {
    const next = rules.filter((r) => r.id !== 'r4');
    const lines = aclFlowChanges(flowsOf(rules), flowsOf(next));
    const deletes = lines.filter((l) => l.startsWith('delete_strict '));
    expect(deletes).toHaveLength(2); // its IPv4 and IPv6 flows
    for (const line of deletes) {
      expect(line).toMatch(/^delete_strict cookie=0x[0-9a-f]+\/-1,table=6,priority=10104,/);
    }
    // A rule that had collided with r4's slot takes it back (here r7): its flows are
    // rewritten under their new cookie; no other rule's flows are touched.
    const rewritten = new Set(
      lines.filter((l) => l.startsWith('add ')).map((l) => /priority=(\d+)/.exec(l)?.[1]),
    );
    expect([...rewritten].every((p) => p === '10107')).toBe(true);
    expect(play(tableOf(flowsOf(rules)), lines)).toEqual(tableOf(flowsOf(next)));
  });

  it('changes a rule whose remote changed and the flows that key on a new MAC', () => {
    const next = rules.map((r) => (r.id === 'r2' ? rule('r2', 102, '10.0.0.0/8') : r));
    const lines = aclFlowChanges(flowsOf(rules), flowsOf(next, '02:00:00:00:00:02'));
    expect(lines.some((l) => l.includes('nw_src=10.0.0.0/8'))).toBe(true);
    expect(lines.some((l) => l.includes('dl_dst=02:00:00:00:00:02'))).toBe(true);
    expect(play(tableOf(flowsOf(rules)), lines)).toEqual(
      tableOf(flowsOf(next, '02:00:00:00:00:02')),
    );
  });

  it('writes nothing when nothing changed, and everything from nothing', () => {
    expect(aclFlowChanges(flowsOf(rules), flowsOf(rules))).toEqual([]);
    expect(aclFlowChanges([], flowsOf(rules))).toEqual(flowsOf(rules));
    const lines = aclFlowChanges(flowsOf(rules), []);
    expect(lines.every((l) => l.startsWith('delete_strict '))).toBe(true);
    expect(play(tableOf(flowsOf(rules)), lines).size).toBe(0);
  });

  it('counts two rules writing the same flow as the one flow OpenFlow holds', () => {
    const twins = [rule('a', 100), rule('b', 100)];
    expect(flowsOf(twins).length).toBe(installed(flowsOf(twins)).size + 2);
    const lines = aclFlowChanges(flowsOf(twins), flowsOf([twins[0]!]));
    // The flow both wrote stays (with a's cookie); nothing is deleted.
    expect(lines.every((l) => l.startsWith('add '))).toBe(true);
    expect(play(tableOf(flowsOf(twins)), lines)).toEqual(tableOf(flowsOf([twins[0]!])));
  });
});
