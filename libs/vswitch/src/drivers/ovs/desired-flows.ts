import { emptyState, type HostDesiredState } from '../../model/host-state.js';
import { plan } from '../../planner/plan.js';
import { DELETE_ALL, PACKET_OUT, policingFlows } from './flows.js';
import type { ResolvedOvsOptions } from './ovs-options.js';
import { stepsFor, type OfStep } from './ovs-steps.js';

const ALL_ONES = (1n << 64n) - 1n;

/** A flow-mod `add` line as a flow spec, the form flow files (diff-flows, replace-flows) take. */
export const flowSpec = (line: string): string => line.replace(/^add /, '');

const cookieOf = (line: string): bigint => BigInt(/cookie=(0x[0-9a-f]+)/.exec(line)?.[1] ?? '0');

/**
 * Every flow each bridge should hold, as flow specs (`cookie=…,table=…,priority=…,… actions=…`).
 * Not a second description of the pipeline: the desired state is built from nothing through
 * the same planner and the same steps `apply` runs, and their bundles are played on an empty
 * table (a `delete cookie=C/M` removes what an earlier add of the same pass put there). So
 * whatever functions produce the flows, the drift pass expects exactly what they produce.
 * `ofports` numbers the policing meters as `apply` does; a policed port without one has none.
 */
export function desiredFlows(
  desired: HostDesiredState,
  options: ResolvedOvsOptions,
  ofports: ReadonlyMap<string, number>,
): Map<string, string[]> {
  let next = 0;
  const id = () => `pn${next++}`;
  const planned = plan(desired, emptyState()).map((op) => stepsFor(op, options, id));
  // Per bridge, flows by cookie: a delete is one map operation, not a scan of the table.
  const tables = new Map<string, Map<bigint, string[]>>();
  const play = (step: OfStep) => {
    const flows = tables.get(step.bridge) ?? new Map<bigint, string[]>();
    tables.set(step.bridge, flows);
    const add = (spec: string) => {
      const key = cookieOf(spec);
      const group = flows.get(key);
      if (group) group.push(spec);
      else flows.set(key, [spec]);
    };
    const remove = (cookie: bigint, mask: bigint) => {
      if (mask === ALL_ONES) flows.delete(cookie);
      else for (const key of flows.keys()) if ((key & mask) === (cookie & mask)) flows.delete(key);
    };
    if (step.kind === 'portFlood') return; // a port config, not a flow (drift-sweep.ts)
    if (step.kind === 'meter') {
      remove(cookieOf(policingFlows(step.port, 0)[0] ?? ''), ALL_ONES);
      const meter = ofports.get(step.port);
      if (step.kbps > 0 && meter !== undefined)
        policingFlows(step.port, meter).map(flowSpec).forEach(add);
      return;
    }
    for (const line of step.lines) {
      if (line.startsWith(PACKET_OUT)) continue;
      const [verb, spec = ''] = line.split(/ (.*)/s);
      if (verb === 'add') add(spec);
      else if (line === DELETE_ALL) flows.clear();
      else if (verb === 'delete_strict') {
        // The flow its cookie, table, priority and match name (deleteStrict in flows.ts).
        const target = spec.replace('/-1,', ',');
        const key = cookieOf(target);
        const kept = (flows.get(key) ?? []).filter(
          (f) => f.replace(/,actions=.*$/s, '') !== target,
        );
        flows.set(key, kept);
      } else if (verb === 'delete') {
        const [, cookie = '0', mask = '-1'] = /cookie=(0x[0-9a-f]+)\/(\S+)/.exec(spec) ?? [];
        remove(BigInt(cookie), mask === '-1' ? ALL_ONES : BigInt(mask));
      } else throw new Error(`unexpected flow-mod line: ${line}`);
    }
  };
  // The phases in the order apply runs them, each across the whole batch.
  for (const phase of ['before', 'flows', 'afterFlows'] as const) {
    for (const steps of planned) steps[phase].forEach(play);
  }
  return new Map([...tables].map(([bridge, flows]) => [bridge, [...flows.values()].flat()]));
}
