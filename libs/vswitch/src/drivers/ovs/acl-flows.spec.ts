import { describe, expect, it } from 'vitest';
import type { AclRule } from '../../model/host-state.js';
import { aclFlows, learnedFlows } from './acl-flows.js';
import {
  baseFlows,
  cookie,
  ctZone,
  hex,
  pendingFlows,
  portKey,
  ruleCookies,
  TABLE,
} from './flows.js';

const MAC = '02:00:00:00:00:01';
const rule = (over: Partial<AclRule>): AclRule => ({
  id: 'r',
  direction: 'egress',
  priority: 7,
  match: { protocol: 'icmp' },
  action: 'drop',
  ...over,
});
const flowsOf = (acls: AclRule[], aclDefault?: 'deny') =>
  aclFlows('br', 'p', MAC, acls, aclDefault);
const priorityOf = (f: string) => Number(/priority=(\d+)/.exec(f)?.[1]);
const inTable = (flows: string[], table: number) =>
  flows.filter((f) => f.includes(`,table=${table},`));

describe('aclFlows', () => {
  const key = portKey('p');
  const zone = ctZone('br');

  it('installs nothing for a port without rules (NORMAL delivers to it as before)', () => {
    expect(flowsOf([])).toEqual([]);
  });

  it('keys to-VM rules on the destination port, never on a MAC', () => {
    const flows = flowsOf([rule({})]);
    const [drop] = inTable(flows, TABLE.toVmAcl).filter((f) => f.includes('icmp'));
    expect(drop).toMatch(new RegExp(`priority=10007,reg7=${key},icmp,actions=drop$`));
    expect(flows.some((f) => f.includes('dl_dst') && !f.includes(`table=${TABLE.macs},`))).toBe(
      false,
    );
    expect(inTable(flows, TABLE.macs)).toEqual([
      expect.stringMatching(new RegExp(`dl_dst=${MAC},actions=load:${key}->NXM_NX_REG7\\[\\]$`)),
    ]);
    // What the port sends from is learned to the same key, so a new MAC stays the port's.
    const learn = inTable(flows, TABLE.conntrack);
    expect(learn).toHaveLength(3);
    for (const f of learn) {
      expect(f).toContain('in_port=p,dl_src=00:00:00:00:00:00/01:00:00:00:00:00');
      expect(f).toContain(`learn(table=${TABLE.macs},priority=50,`);
      expect(f).toContain(`cookie=${hex(cookie('p', 'learned'))},delete_learned,`);
      expect(f).toContain(`NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:${key}->NXM_NX_REG7[])`);
    }
  });

  it('keys from-VM rules on in_port and passes allowed traffic on to the destination', () => {
    const flows = flowsOf([rule({ direction: 'ingress', action: 'allow' })]);
    expect(inTable(flows, TABLE.fromVmAcl).filter((f) => priorityOf(f) !== 3)).toEqual([
      expect.stringMatching(/priority=10007,in_port=p,icmp,actions=goto_table:4$/),
      expect.stringMatching(/priority=2,in_port=p,ct_state=\+trk\+inv,actions=drop$/),
    ]);
  });

  it('writes one rule flow per remote and none for an empty list, keeping rule places', () => {
    const flows = flowsOf([
      rule({ id: 'a', priority: 9, match: { protocol: 'tcp', remotes: [], portFrom: 22 } }),
      rule({
        id: 'b',
        priority: 8,
        match: { protocol: 'tcp', remotes: ['10.0.0.1/32', 'fd00::1/128'], portFrom: 22 },
      }),
    ]);
    const rules = inTable(flows, TABLE.toVmAcl).filter((f) => priorityOf(f) >= 10000);
    expect(rules).toEqual([
      expect.stringMatching(/priority=10008,reg7=\S+,tcp,nw_src=10\.0\.0\.1\/32,tp_dst=22,/),
      expect.stringMatching(/priority=10008,reg7=\S+,tcp6,ipv6_src=fd00::1\/128,tp_dst=22,/),
    ]);
    // The second rule keeps its own cookie (its slot among the rules), which the counters read.
    const cookieOfB = ruleCookies('p', ['a', 'b'])[1]!;
    expect(rules.every((f) => f.includes(`cookie=${hex(cookieOfB)},`))).toBe(true);
  });

  it('drops IP no rule admits under default deny, below rules, exemptions and +inv', () => {
    const flows = flowsOf([rule({ action: 'allow' })], 'deny');
    for (const [table, who] of [
      [TABLE.fromVmAcl, 'in_port=p'],
      [TABLE.toVmAcl, `reg7=${key}`],
    ] as const) {
      const deny = inTable(flows, table).filter((f) => f.endsWith('actions=drop'));
      expect(deny.map((f) => f.replace(/^.*priority=/, ''))).toEqual([
        `2,${who},ct_state=+trk+inv,actions=drop`,
        `1,${who},ip,actions=drop`,
        `1,${who},ipv6,actions=drop`,
      ]);
    }
    expect(flows.length - flowsOf([rule({ action: 'allow' })]).length).toBe(4);
  });

  it("exempts ND, RS/RA and DHCP(v6) client-server traffic, each in its direction, on the bridge's flows", () => {
    // The port writes none of its own: the bridge's, above its +inv drop and default deny, serve
    // every port, and for a port without ACLs they go where the table's default goes.
    expect(flowsOf([], 'deny').filter((f) => priorityOf(f) === 3)).toEqual([]);
    const flows = baseFlows('br');
    const exempt = (table: number) =>
      inTable(flows, table)
        .filter((f) => priorityOf(f) === 3)
        .map((f) => /priority=3,(.*),actions/.exec(f)?.[1]);
    const nd = [133, 134, 135, 136].map((t) => `icmp6,icmp_type=${t}`);
    expect(exempt(TABLE.fromVmAcl)).toEqual([
      ...nd,
      'udp,tp_src=68,tp_dst=67',
      'udp6,tp_src=546,tp_dst=547',
    ]);
    expect(exempt(TABLE.toVmAcl)).toEqual([
      ...nd,
      'udp,tp_src=67,tp_dst=68',
      'udp6,tp_src=547,tp_dst=546',
    ]);
    for (const [table, next] of [
      [TABLE.fromVmAcl, TABLE.destination],
      [TABLE.toVmAcl, TABLE.deliver],
    ] as const) {
      const fallThrough = inTable(flows, table).find((f) => priorityOf(f) === 0);
      for (const f of inTable(flows, table).filter((f) => priorityOf(f) === 3)) {
        expect(f).toMatch(new RegExp(`actions=goto_table:${next}$`));
      }
      expect(fallThrough).toMatch(new RegExp(`actions=goto_table:${next}$`));
    }
  });

  it('gives a port that denies with no rule the whole pipeline: conntrack, MAC, delivery', () => {
    const flows = flowsOf([], 'deny');
    expect(inTable(flows, TABLE.conntrack)).toHaveLength(3);
    expect(inTable(flows, TABLE.macs)).toHaveLength(1);
    expect(inTable(flows, TABLE.deliver)).toHaveLength(3);
    expect(flows.some((f) => priorityOf(f) >= 10000)).toBe(false);
  });

  it('commits a new allowed connection on delivery, unless a stateless rule passed it', () => {
    const flows = flowsOf([rule({ action: 'allow', stateless: true })]);
    expect(inTable(flows, TABLE.toVmAcl)[0]).toMatch(
      /reg7=0x[0-9a-f]+,icmp,actions=load:1->NXM_NX_REG0\[0\],goto_table:7$/,
    );
    expect(inTable(flows, TABLE.deliver)).toEqual([
      expect.stringMatching(
        new RegExp(
          `priority=300,reg7=${key},ip,ct_state=\\+trk\\+new,reg0=0/0x1,actions=ct\\(commit,zone=${zone}\\),output:p$`,
        ),
      ),
      expect.stringContaining(`reg7=${key},ipv6,ct_state=+trk+new,reg0=0/0x1,`),
      expect.stringMatching(new RegExp(`priority=200,reg7=${key},actions=output:p$`)),
    ]);
  });

  it('ignores `stateless` on a drop', () => {
    expect(flowsOf([rule({ stateless: true })])).toEqual(flowsOf([rule({})]));
  });
});

describe('the stateful base pipeline', () => {
  const flows = baseFlows('br');
  const zone = ctZone('br');

  it('looks IP traffic up in the network zone once, before any rule', () => {
    expect(inTable(flows, TABLE.conntrack)).toEqual([
      expect.stringContaining(`ip,actions=ct(zone=${zone},table=${TABLE.fromVmAcl})`),
      expect.stringContaining(`ipv6,actions=ct(zone=${zone},table=${TABLE.fromVmAcl})`),
      expect.stringContaining(`priority=0,actions=goto_table:${TABLE.fromVmAcl}`),
    ]);
  });

  it('passes replies and related traffic above every rule, in both directions', () => {
    for (const table of [TABLE.fromVmAcl, TABLE.toVmAcl]) {
      const top = inTable(flows, table).filter((f) => f.includes('priority=65000'));
      expect(top.map((f) => /ct_state=\S+?,/.exec(f)?.[0])).toEqual([
        'ct_state=+trk+est-inv,',
        'ct_state=+trk+rel-inv,',
      ]);
    }
  });

  it('commits new connections that leave through NORMAL (other hosts, ports without rules)', () => {
    expect(inTable(flows, TABLE.deliver)).toEqual([
      expect.stringContaining(
        `ip,ct_state=+trk+new,reg0=0/0x1,actions=ct(commit,zone=${zone}),NORMAL`,
      ),
      expect.stringContaining(
        `ipv6,ct_state=+trk+new,reg0=0/0x1,actions=ct(commit,zone=${zone}),NORMAL`,
      ),
      expect.stringContaining('priority=0,actions=NORMAL'),
    ]);
  });

  it('hands traffic for a pending port to NORMAL rather than to the port', () => {
    expect(pendingFlows('p')[1]).toMatch(
      new RegExp(`table=${TABLE.deliver},priority=400,reg7=${portKey('p')},actions=NORMAL$`),
    );
  });

  it('spreads zones and keys by name, never 0', () => {
    const zones = new Set(Array.from({ length: 200 }, (_, i) => ctZone(`pnb-${i}`)));
    expect(zones.size).toBeGreaterThan(195);
    expect(zones.has(0)).toBe(false);
    expect(portKey('x')).not.toBe('0x0');
  });
});

describe('learnedFlows', () => {
  const c = hex(cookie('p', 'learned'));
  const line = (extra = '', actions = `load:${portKey('p')}->NXM_NX_REG7[]`) =>
    ` cookie=${c}, table=5, idle_timeout=300, priority=50,dl_dst=02:00:00:00:05:99${extra} actions=${actions}`;

  it('keeps what a port with ACLs learned, exactly as its learn action writes it', () => {
    expect(learnedFlows(line(), ['p'])).toEqual([
      `cookie=${c},table=5,priority=50,idle_timeout=300,dl_dst=02:00:00:00:05:99,actions=load:${portKey('p')}->NXM_NX_REG7[]`,
    ]);
    expect(learnedFlows(line('', `set_field:${portKey('p')}->reg7`), ['p'])).toHaveLength(1);
  });

  it('keeps nothing else: other ports, other keys, other matches or actions', () => {
    expect(learnedFlows(line(), ['q'])).toEqual([]);
    expect(learnedFlows(line('', 'load:0x1->NXM_NX_REG7[]'), ['p'])).toEqual([]);
    expect(learnedFlows(line(',in_port=1'), ['p'])).toEqual([]);
    expect(learnedFlows(line('', `load:${portKey('p')}->NXM_NX_REG7[],NORMAL`), ['p'])).toEqual([]);
    expect(learnedFlows(line().replace('priority=50', 'priority=60000'), ['p'])).toEqual([]);
  });
});
