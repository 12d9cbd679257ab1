import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aclMatches } from './acl-match.js';
import {
  BASE_FLOW_COUNT,
  baseFlows,
  cookie,
  floodCookie,
  FLOOD_CHUNK,
  floodFlows,
  GROUP_DESTINATION,
  hex,
  PORT_COOKIE_MASK,
  portKey,
} from './flows.js';
import { parseFlowCookies, parseMeters, parsePortStats } from './openflow/ofctl-text.js';
import { resolveOvsOptions } from './ovs-options.js';
import { stepsFor } from './ovs-steps.js';
import { portRangeMasks } from './port-range.js';

describe('portRangeMasks', () => {
  it('covers a range exactly with aligned blocks', () => {
    expect(portRangeMasks(22, 22)).toEqual([{ value: 22, mask: 0xffff }]);
    expect(portRangeMasks(0, 65535)).toEqual([{ value: 0, mask: 0 }]);
    expect(portRangeMasks(1024, 65535)).toHaveLength(6);
    fc.assert(
      fc.property(fc.nat(2000), fc.nat(300), fc.nat(2400), (from, span, probe) => {
        const blocks = portRangeMasks(from, from + span);
        const covered = blocks.filter((b) => (probe & b.mask) === b.value).length;
        expect(covered).toBe(probe >= from && probe <= from + span ? 1 : 0);
      }),
    );
  });
});

describe('aclMatches', () => {
  it('matches the remote side: destination for ingress, source for egress', () => {
    const match = { protocol: 'tcp' as const, remotes: ['10.0.0.0/8'], portFrom: 80, portTo: 81 };
    expect(aclMatches(match, true)).toEqual(['tcp,nw_dst=10.0.0.0/8,tp_dst=0x50/0xfffe']);
    expect(aclMatches(match, false)).toEqual(['tcp,nw_src=10.0.0.0/8,tp_dst=0x50/0xfffe']);
    expect(aclMatches({ protocol: 'udp', remotes: ['fd00::/8'] }, false)).toEqual([
      'udp6,ipv6_src=fd00::/8',
    ]);
  });

  it('writes one match per remote and port block, each in the remote family', () => {
    const match = {
      protocol: 'tcp' as const,
      remotes: ['10.0.0.1/32', '10.9.0.0/16', 'fd00::1/128'],
      portFrom: 80,
      portTo: 81,
    };
    expect(aclMatches(match, false)).toEqual([
      'tcp,nw_src=10.0.0.1/32,tp_dst=0x50/0xfffe',
      'tcp,nw_src=10.9.0.0/16,tp_dst=0x50/0xfffe',
      'tcp6,ipv6_src=fd00::1/128,tp_dst=0x50/0xfffe',
    ]);
    // A range of two blocks doubles it: remotes × blocks.
    expect(aclMatches({ ...match, portTo: 82 }, true)).toHaveLength(6);
    // An icmp rule with an IPv6 remote is ICMPv6 from that remote, as with a plain CIDR.
    expect(aclMatches({ protocol: 'icmp', remotes: ['fd00::1/128'] }, false)).toEqual([
      'icmp6,ipv6_src=fd00::1/128',
    ]);
  });

  it('matches nothing for an empty remote list (an empty address set or group)', () => {
    expect(aclMatches({ protocol: 'any', remotes: [] }, true)).toEqual([]);
    expect(aclMatches({ protocol: 'tcp', remotes: [], portFrom: 22 }, false)).toEqual([]);
  });

  it('keeps ICMPv6 (neighbour discovery) out of a family-less icmp rule', () => {
    expect(aclMatches({ protocol: 'icmp' }, true)).toEqual(['icmp']);
    expect(aclMatches({ protocol: 'any' }, true)).toEqual(['ip', 'ipv6']);
  });
});

describe('flows', () => {
  it('gives every concern of a port a cookie under one maskable prefix', () => {
    const mask = BigInt(PORT_COOKIE_MASK);
    const base = cookie('pnv-0123456789', 'base');
    for (const concern of ['forwarding', 'security', 'qos', 'acl'] as const) {
      expect(cookie('pnv-0123456789', concern) & mask).toBe(base);
    }
    expect(cookie('pnv-0123456789', 'acl')).not.toBe(cookie('pnv-0123456789', 'security'));
  });

  it('counts the base pipeline the way readActual checks it', () => {
    expect(baseFlows('pnb-0123456789')).toHaveLength(BASE_FLOW_COUNT);
  });
});

describe('ovs steps', () => {
  const options = resolveOvsOptions();
  const id = () => 'x';

  it('starts forwarding only after everything else of the batch', () => {
    const steps = stepsFor(
      { kind: 'setPortForwarding', bridge: 'b', port: 'p', forwarding: true },
      options,
      id,
    );
    expect(steps.db).toEqual([]);
    expect(steps.afterDb).toEqual([['set', 'Port', 'p', 'vlan_mode=access', 'tag=0']]);
  });

  it('creates ports pending, in the dead VLAN with a drop flow', () => {
    const steps = stepsFor(
      { kind: 'addPort', bridge: 'b', port: 'p', vifId: 'v', vmId: 'vm' },
      options,
      id,
    );
    expect(steps.db).toContainEqual(['set', 'Port', 'p', 'vlan_mode=access', 'tag=4095']);
    expect(steps.flows[0]).toMatchObject({ kind: 'bundle', bridge: 'b' });
  });
});

describe('ovs-ofctl output parsing', () => {
  it('counts flows per cookie', () => {
    const dump = [
      ' cookie=0x10, priority=0 actions=goto_table:1',
      ' cookie=0xabc01, table=1, priority=11000,icmp,in_port=2 actions=drop',
      ' cookie=0xabc01, table=1, priority=11001,icmp,in_port=2 actions=drop',
      ' priority=0 actions=NORMAL',
    ].join('\n');
    expect(parseFlowCookies(dump)).toEqual(
      new Map([
        [0x10n, 1],
        [0xabc01n, 2],
      ]),
    );
  });

  it('reads live port statistics by name', () => {
    const dump = [
      'OFPST_PORT reply (OF1.4) (xid=0x2): 2 ports',
      '  port LOCAL: rx pkts=0, bytes=0, drop=0, errs=0, frame=0, over=0, crc=0',
      '           tx pkts=0, bytes=0, drop=0, errs=0, coll=0',
      '  port  pnv-0a1b2c3d4e: rx pkts=12, bytes=1176, drop=?, errs=0, frame=0, over=0, crc=0',
      '           tx pkts=9, bytes=882, drop=1, errs=0, coll=0',
    ].join('\n');
    expect(parsePortStats(dump)[1]).toEqual({
      port: 'pnv-0a1b2c3d4e',
      rxPackets: 12,
      rxBytes: 1176,
      rxDropped: 0,
      txPackets: 9,
      txBytes: 882,
      txDropped: 1,
    });
  });

  it('reads meters with and without burst', () => {
    const dump =
      'OFPST_METER_CONFIG reply (OF1.4) (xid=0x2):\nmeter=4 kbps bands=\ntype=drop rate=7000\n\n' +
      'meter=3 kbps burst bands=\ntype=drop rate=5000 burst_size=500\n';
    expect(parseMeters(dump)).toEqual(
      new Map([
        [4, { kbps: 7000, burstKb: 0 }],
        [3, { kbps: 5000, burstKb: 500 }],
      ]),
    );
  });
});

describe('the flood path of ports with ACLs', () => {
  const options = resolveOvsOptions({});
  const id = () => 'x';
  const bridgeLines = (previous: string[], ports: string[]) => {
    const steps = stepsFor(
      { kind: 'setBridgeFlood', bridge: 'pnb-a', ports, previous },
      options,
      id,
    );
    const lines = (s: typeof steps.before) =>
      s.flatMap((step) => ('lines' in step ? step.lines : []));
    return { before: lines(steps.before), after: lines(steps.afterFlows) };
  };

  it('copies group-addressed frames to each port through its to-VM table, then NORMAL decides', () => {
    const copy = (port: string) => `clone(load:${portKey(port)}->NXM_NX_REG7[],resubmit(,6))`;
    expect(floodFlows('pnb-a', ['p1', 'p2'])).toEqual([
      `add cookie=${hex(floodCookie('pnb-a'))},table=5,priority=100,${GROUP_DESTINATION},reg6=0,` +
        `actions=${copy('p1')},${copy('p2')},load:0->NXM_NX_REG6[],load:0->NXM_NX_REG7[]`,
    ]);
    expect(floodFlows('pnb-a', [])).toEqual([]);
  });

  it('chains the copies over flows of FLOOD_CHUNK ports, each under OpenFlow 64 KiB', () => {
    const ports = Array.from({ length: FLOOD_CHUNK * 2 + 1 }, (_, i) => `pnv-${i}`);
    const flows = floodFlows('pnb-a', ports);
    expect(flows).toHaveLength(3);
    expect(flows.map((f) => /reg6=(\d+)/.exec(f)?.[1])).toEqual(['0', '1', '2']);
    expect(flows[0]).toMatch(/load:1->NXM_NX_REG6\[\],resubmit\(,5\)$/);
    expect(flows[2]).toMatch(/load:0->NXM_NX_REG6\[\],load:0->NXM_NX_REG7\[\]$/);
    expect(flows.flatMap((f) => f.match(/clone\(/g) ?? [])).toHaveLength(ports.length);
    for (const f of flows) expect(f.length).toBeLessThan(40_000);
  });

  it('drops a leaving port before anything else changes, adds a joining one last', () => {
    const grown = bridgeLines(['p1'], ['p1', 'p2']);
    expect(grown.before).toEqual([]);
    expect(grown.after.at(-1)).toBe(floodFlows('pnb-a', ['p1', 'p2'])[0]);
    const shrunk = bridgeLines(['p1', 'p2'], ['p2']);
    expect(shrunk.before.at(-1)).toBe(floodFlows('pnb-a', ['p2'])[0]);
    expect(bridgeLines(['p1'], []).after).toEqual([
      `delete cookie=${hex(floodCookie('pnb-a'))}/-1`,
    ]);
  });

  it('marks a port no-flood exactly when it has an ACL pipeline', () => {
    const flood = (aclDefault?: 'deny') =>
      stepsFor(
        {
          kind: 'setPortAcls',
          bridge: 'pnb-a',
          port: 'p1',
          mac: '',
          acls: [],
          ...(aclDefault ? { aclDefault } : {}),
        },
        options,
        id,
      ).flows.find((step) => step.kind === 'portFlood');
    const one = (flood: boolean) => ({
      kind: 'portFlood',
      bridge: 'pnb-a',
      ports: [{ port: 'p1', flood }],
    });
    expect(flood('deny')).toEqual(one(false));
    expect(flood()).toEqual(one(true));
    // A rule change that keeps the pipeline makes no ovs-ofctl call.
    const previous = { mac: '', acls: [], aclDefault: 'deny' as const };
    const kept = stepsFor(
      {
        kind: 'setPortAcls',
        bridge: 'pnb-a',
        port: 'p1',
        mac: '',
        acls: [],
        aclDefault: 'deny',
        previous,
      },
      options,
      id,
    ).flows;
    expect(kept.some((step) => step.kind === 'portFlood')).toBe(false);
  });
});
