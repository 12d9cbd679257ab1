import { describe, expect, it } from 'vitest';
import type { AclRule } from '../../model/host-state.js';
import { aclFlows } from './acl-flows.js';
import { cookie, deleteRuleFlows, hex, PORT_COOKIE_MASK, ruleCookie } from './flows.js';
import { parseFlowStats } from './ovs-clients.js';

const rule = (id: string, protocol: 'icmp' | 'tcp' | 'any'): AclRule => ({
  id,
  direction: 'egress',
  priority: 100,
  match: { protocol },
  action: 'drop',
});

const cookieOf = (line: string) => BigInt(/cookie=(0x[0-9a-f]+)/.exec(line)?.[1] ?? '-1');

describe('per-rule cookies', () => {
  it("gives each rule's flows its own cookie, under the port's prefix", () => {
    const flows = aclFlows('br', 'p', '02:00:00:00:00:01', [rule('a', 'icmp'), rule('b', 'any')]);
    const byCookie = (c: bigint) => flows.filter((line) => cookieOf(line) === c);
    expect(byCookie(ruleCookie('p', 0))).toHaveLength(1);
    expect(byCookie(ruleCookie('p', 1))).toHaveLength(2); // ip and ipv6
    expect(byCookie(ruleCookie('p', 0))[0]).toContain('icmp');
    const mask = BigInt(PORT_COOKIE_MASK);
    for (const line of flows) expect(cookieOf(line) & mask).toBe(cookie('p', 'base'));
  });

  it('deletes every rule flow of the port and nothing of another concern or port', () => {
    const [, value = '', mask = ''] = /cookie=(0x[0-9a-f]+)\/(0x[0-9a-f]+)/.exec(
      deleteRuleFlows('p'),
    )!;
    const hit = (c: bigint) => (c & BigInt(mask)) === (BigInt(value) & BigInt(mask));
    for (const index of [0, 1, 57, 126]) expect(hit(ruleCookie('p', index))).toBe(true);
    for (const concern of ['base', 'forwarding', 'security', 'qos', 'acl', 'learned'] as const) {
      expect(hit(cookie('p', concern))).toBe(false);
    }
    expect(hit(ruleCookie('q', 0))).toBe(false);
    expect(ruleCookie('p', 127)).toBe(cookie('p', 'acl'));
  });

  it('sums a stats dump per cookie', () => {
    const a = hex(ruleCookie('p', 0));
    const b = hex(ruleCookie('p', 1));
    const dump = [
      `OFPST_FLOW reply (OF1.4) (xid=0x2):`,
      ` cookie=${a}, duration=3.1s, table=6, n_packets=3, n_bytes=294, priority=10100,icmp,reg7=0x1 actions=drop`,
      ` cookie=${b}, duration=3.1s, table=6, n_packets=2, n_bytes=148, priority=10100,ip,reg7=0x1 actions=drop`,
      ` cookie=${b}, duration=3.1s, table=6, n_packets=1, n_bytes=90, priority=10100,ipv6,reg7=0x1 actions=drop`,
    ].join('\n');
    const stats = parseFlowStats(dump);
    expect(stats.get(ruleCookie('p', 0))).toEqual({ packets: 3, bytes: 294 });
    expect(stats.get(ruleCookie('p', 1))).toEqual({ packets: 3, bytes: 238 });
    expect(stats.size).toBe(2);
  });
});
