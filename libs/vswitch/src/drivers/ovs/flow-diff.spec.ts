import { describe, expect, it } from 'vitest';
import { parseFlowDiff } from './flow-diff.js';

/** Output of `ovs-ofctl --names diff-flows BRIDGE FILE` (OVS 3.1), bridge side `-`, file `+`. */
const DIFF = `-priority=65535 actions=NORMAL
-priority=50000,in_port=pnv-a cookie=0x202 actions=NORMAL
+priority=50000,in_port=pnv-a cookie=0x202 actions=drop
+table=1 priority=0 cookie=0x100 actions=goto_table:2
-table=3 priority=10007,ip,dl_dst=02:00:00:00:00:01 cookie=0x204 actions=NORMAL
+table=3 priority=10007,ip,dl_dst=02:00:00:00:00:01 cookie=0x304 actions=NORMAL
`;

describe('parseFlowDiff', () => {
  it('tells a foreign flow, an edited one and a missing one apart by table, priority and match', () => {
    expect(parseFlowDiff('pnb-x', DIFF)).toEqual([
      { kind: 'flow', bridge: 'pnb-x', change: 'added', flow: 'priority=65535 actions=NORMAL' },
      {
        kind: 'flow',
        bridge: 'pnb-x',
        change: 'changed',
        flow: 'priority=50000,in_port=pnv-a cookie=0x202 actions=NORMAL',
        expected: 'priority=50000,in_port=pnv-a cookie=0x202 actions=drop',
      },
      {
        kind: 'flow',
        bridge: 'pnb-x',
        change: 'changed',
        flow: 'table=3 priority=10007,ip,dl_dst=02:00:00:00:00:01 cookie=0x204 actions=NORMAL',
        expected: 'table=3 priority=10007,ip,dl_dst=02:00:00:00:00:01 cookie=0x304 actions=NORMAL',
      },
      {
        kind: 'flow',
        bridge: 'pnb-x',
        change: 'removed',
        flow: 'table=1 priority=0 cookie=0x100 actions=goto_table:2',
      },
    ]);
  });

  it('keeps a flow of another table under the same match apart', () => {
    const diff = '-priority=0 actions=drop\n+table=1 priority=0 actions=drop\n';
    expect(parseFlowDiff('b', diff).map((f) => f.change)).toEqual(['added', 'removed']);
  });

  it('finds nothing in an empty diff', () => {
    expect(parseFlowDiff('b', '')).toEqual([]);
  });
});
