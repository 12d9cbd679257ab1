import type { FlowDrift } from '../driver.js';

/** A flow's identity in OpenFlow: its table, priority and match (`[table=N ]priority=P,…`). */
const identity = (flow: string): string => {
  const [first = '', second = ''] = flow.split(' ');
  return first.startsWith('table=') ? `${first} ${second}` : first;
};

/**
 * Findings from `ovs-ofctl diff-flows BRIDGE FILE`: `-` lines are flows only the bridge holds,
 * `+` lines flows only the file (the desired pipeline) holds, both printed by ovs-ofctl in its
 * own canonical form, so `ip` and `dl_type=0x0800` or a reordered match compare equal. A flow
 * on both sides under one identity (table, priority, match) with other actions or cookie was
 * edited; one only on the bridge was added by someone else; one only in the file went missing.
 */
export function parseFlowDiff(bridge: string, diff: string): FlowDrift[] {
  const found = new Map<string, string>();
  const wanted = new Map<string, string>();
  for (const line of diff.split('\n')) {
    const sign = line[0];
    const flow = line.slice(1).trim();
    if (sign === '-') found.set(identity(flow), flow);
    else if (sign === '+') wanted.set(identity(flow), flow);
  }
  const findings: FlowDrift[] = [];
  for (const [key, flow] of found) {
    const expected = wanted.get(key);
    findings.push(
      expected === undefined
        ? { kind: 'flow', bridge, change: 'added', flow }
        : { kind: 'flow', bridge, change: 'changed', flow, expected },
    );
  }
  for (const [key, expected] of wanted) {
    if (!found.has(key)) findings.push({ kind: 'flow', bridge, change: 'removed', flow: expected });
  }
  return findings;
}
