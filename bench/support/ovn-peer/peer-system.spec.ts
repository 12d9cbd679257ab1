import { describe, expect, it } from 'vitest';
import { flowsChanged, parseFlowDump } from './peer-system.js';

const dump = (packets: number) => `OFPST_FLOW reply (OF1.5) (xid=0x2):
 cookie=0x1a2b, duration=12.345s, table=0, n_packets=${packets}, n_bytes=${packets * 60}, idle_age=3, priority=100,in_port=1 actions=load:0x1->NXM_NX_REG13[],resubmit(,8)
 cookie=0x0, duration=12.3s, table=44, n_packets=0, n_bytes=0, priority=2002,tcp,reg15=0x1,tp_dst=22 actions=drop
`;

describe('flow dumps of the ovn-peer bench', () => {
  it('keeps each flow without its counters, ages and cookie', () => {
    expect(parseFlowDump(dump(5))).toEqual([
      'table=0, priority=100,in_port=1 actions=load:0x1->NXM_NX_REG13[],resubmit(,8)',
      'table=44, priority=2002,tcp,reg15=0x1,tp_dst=22 actions=drop',
    ]);
  });

  it('sees no change where only traffic counters moved', () => {
    expect(flowsChanged(parseFlowDump(dump(5)), parseFlowDump(dump(900)))).toBe(0);
  });

  it('counts flows added and flows taken away', () => {
    const before = parseFlowDump(dump(1));
    const after = [
      ...before.slice(1),
      'table=44, priority=2002,udp actions=drop',
      'table=9 actions=drop',
    ];
    expect(flowsChanged(before, after)).toBe(3);
  });
});
