import { describe, expect, it } from 'vitest';
import type { AclRule } from '../../model/host-state.js';
import { aclFlows } from './acl-flows.js';
import {
  aclCookies,
  cookie,
  COUNTED_RULES,
  deleteRuleFlows,
  hex,
  PORT_COOKIE_MASK,
  ruleCookies,
} from './flows.js';
import { parseFlowStats } from './openflow/ofctl-text.js';

const rule = (id: string, protocol: 'icmp' | 'tcp' | 'any'): AclRule => ({
  id,
  direction: 'egress',
  priority: 100,
  match: { protocol },
  action: 'drop',
});

const cookieOf = (line: string) => BigInt(/cookie=(0x[0-9a-f]+)/.exec(line)?.[1] ?? '-1');
const ids = (n: number) => Array.from({ length: n }, (_, i) => `rule-${i}`);

describe('per-rule cookies', () => {
  it("gives each rule's flows its own cookie, under the port's prefix", () => {
    const flows = aclFlows('br', 'p', '02:00:00:00:00:01', [rule('a', 'icmp'), rule('b', 'any')]);
    const [a = 0n, b = 0n] = ruleCookies('p', ['a', 'b']);
    const byCookie = (c: bigint) => flows.filter((line) => cookieOf(line) === c);
    expect(a).not.toBe(b);
    expect(byCookie(a)).toHaveLength(1);
    expect(byCookie(b)).toHaveLength(2); // ip and ipv6
    expect(byCookie(a)[0]).toContain('icmp');
    const mask = BigInt(PORT_COOKIE_MASK);
    for (const line of flows) expect(cookieOf(line) & mask).toBe(cookie('p', 'base'));
  });

  it("keeps a rule's cookie when other rules come, go or move in the list", () => {
    const before = new Map(ids(10).map((id, i) => [id, ruleCookies('p', ids(10))[i]]));
    const changed = [
      'new-rule',
      ...ids(10)
        .filter((id) => id !== 'rule-3')
        .reverse(),
    ];
    const after = ruleCookies('p', changed);
    changed.slice(1).forEach((id, i) => {
      // A new rule may only take the slot of a rule it collides with; here none collides.
      expect(after[i + 1]).toBe(before.get(id));
    });
    expect(new Set(after).size).toBe(changed.length);
  });

  it('gives up to 127 rules of a port distinct counted cookies; the rest share the acl cookie', () => {
    const cookies = ruleCookies('p', ids(130));
    const counted = cookies.filter((c) => c !== cookie('p', 'acl'));
    expect(new Set(counted).size).toBe(COUNTED_RULES);
    expect(cookies.length - counted.length).toBe(3);
    const known = new Set(aclCookies('p'));
    for (const c of cookies) expect(known.has(c)).toBe(true);
  });

  it('deletes every rule flow of the port and nothing of another concern or port', () => {
    const [, value = '', mask = ''] = /cookie=(0x[0-9a-f]+)\/(0x[0-9a-f]+)/.exec(
      deleteRuleFlows('p'),
    )!;
    const hit = (c: bigint) => (c & BigInt(mask)) === (BigInt(value) & BigInt(mask));
    for (const c of ruleCookies('p', ids(127))) expect(hit(c)).toBe(true);
    for (const concern of ['base', 'forwarding', 'security', 'qos', 'acl', 'learned'] as const) {
      expect(hit(cookie('p', concern))).toBe(false);
    }
    for (const c of ruleCookies('q', ids(3))) expect(hit(c)).toBe(false);
  });

  it('sums a stats dump per cookie', () => {
    const [ca = 0n, cb = 0n] = ruleCookies('p', ['a', 'b']);
    const [a, b] = [hex(ca), hex(cb)];
    const dump = [
      `OFPST_FLOW reply (OF1.4) (xid=0x2):`,
      ` cookie=${a}, duration=3.1s, table=6, n_packets=3, n_bytes=294, priority=10100,icmp,reg7=0x1 actions=drop`,
      ` cookie=${b}, duration=3.1s, table=6, n_packets=2, n_bytes=148, priority=10100,ip,reg7=0x1 actions=drop`,
      ` cookie=${b}, duration=3.1s, table=6, n_packets=1, n_bytes=90, priority=10100,ipv6,reg7=0x1 actions=drop`,
    ].join('\n');
    const stats = parseFlowStats(dump);
    expect(stats.get(ca)).toEqual({ packets: 3, bytes: 294 });
    expect(stats.get(cb)).toEqual({ packets: 3, bytes: 238 });
    expect(stats.size).toBe(2);
  });
});
