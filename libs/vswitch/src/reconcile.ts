import type { DriftFinding, VSwitchDriver } from './drivers/driver.js';
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

/**
 * A full pass (boot, drift timer): `reconcile`, then the driver's sweep over everything it owns
 * by content, which finds what the planner's model cannot express: a flow added by hand, a flow
 * edited under its cookie, a port plugged by hand into a bridge the host owns.
 */
export async function reconcileFully(
  driver: VSwitchDriver,
  desired: HostDesiredState,
): Promise<{ operations: Operation[]; findings: DriftFinding[] }> {
  const operations = await reconcile(driver, desired);
  const findings = (await driver.sweep?.(desired)) ?? [];
  return { operations, findings };
}
