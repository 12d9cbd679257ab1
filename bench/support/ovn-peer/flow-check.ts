import { flowsChanged, type PeerSystem, type SystemName } from './peer-system.js';

/** What one change of a part does to each hypervisor's flows, read back with `ovs-ofctl`. */
export interface FlowCheck {
  system: SystemName;
  hypervisors: number;
  part: 'acl' | 'port-security';
  /** Flows added or taken away on each hypervisor by turning the change on. */
  changed: number[];
  /** Whether turning it off again left every hypervisor with the flows it had before. */
  restored: boolean;
}

/**
 * Turns the change on and off once (untimed) and compares the flows, so the bench never times
 * a change that does not reach the switches: an ACL must change every hypervisor's flows, port
 * security on the first VIF the first hypervisor's.
 */
export async function checkFlows(system: PeerSystem, part: FlowCheck['part']): Promise<FlowCheck> {
  const before = await system.flows();
  await system.change(part, 0);
  const on = await system.flows();
  await system.change(part, 1);
  const after = await system.flows();
  const check: FlowCheck = {
    system: system.name,
    hypervisors: system.hypervisors,
    part,
    changed: before.map((flows, h) => flowsChanged(flows, on[h] ?? [])),
    restored: before.every((flows, h) => flowsChanged(flows, after[h] ?? []) === 0),
  };
  const reached = part === 'acl' ? check.changed : check.changed.slice(0, 1);
  if (reached.some((n) => n === 0)) {
    throw new Error(
      `${system.name}: a ${part} change left a hypervisor's flows as they were (flows changed per hypervisor: ${check.changed.join('/')})`,
    );
  }
  return check;
}
