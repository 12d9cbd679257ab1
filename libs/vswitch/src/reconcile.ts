import type { VSwitchDriver } from './drivers/driver.js';
import type { HostDesiredState } from './model/host-state.js';
import type { Operation } from './planner/operation.js';
import { plan } from './planner/plan.js';

/**
 * One convergence pass: read what the switch does, plan the difference, apply it. Stateless like
 * xcp-networkd: nothing is remembered between passes, so the same call repairs drift. Returns the
 * operations applied (empty: the switch already matched; non-empty on a timer pass: drift).
 */
export async function reconcile(
  driver: VSwitchDriver,
  desired: HostDesiredState,
): Promise<Operation[]> {
  const operations = plan(desired, await driver.readActual());
  if (operations.length > 0) await driver.apply(operations);
  return operations;
}
