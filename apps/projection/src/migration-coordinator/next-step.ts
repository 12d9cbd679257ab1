import type { MigrationStatus } from '@pool/domain';

/** Where in the log a step of a migration was written, and when (epoch ms). */
export interface StepMark {
  version: number;
  at: number;
}

/** An active migration as the coordinator follows it from the log. */
export interface TrackedMigration {
  id: string;
  vmId: string;
  fromHostId: string;
  toHostId: string;
  status: MigrationStatus;
  requested: StepMark;
  prepared?: StepMark;
  activated?: StepMark;
}

/** What else the log says that a decision needs. */
export interface MigrationFacts {
  /** The VIFs of the migrating VM: the ports both hosts must report on. */
  vifIds: readonly string[];
  /** The target's state in the pool; `missing` once it left the pool (or never joined). */
  target: 'enabled' | 'disabled' | 'missing';
}

/** The last report of one host, reduced to what a migration looks at. */
export interface HostView {
  appliedVersion: number;
  ports: ReadonlyMap<string, { ready: boolean; forwarding: boolean }>;
}

export type MigrationCommand = 'PrepareMigration' | 'ActivateMigration' | 'CompleteMigration';

export type NextStep =
  | { kind: 'send'; command: MigrationCommand }
  | { kind: 'abort'; reason: string }
  | { kind: 'wait'; for: string };

export interface StepInput {
  migration: TrackedMigration;
  facts: MigrationFacts;
  source: HostView | undefined;
  target: HostView | undefined;
  now: number;
  timeoutMs: number;
}

/**
 * The coordinator's whole policy, pure (DESIGN §5; placement.ts has the switch side):
 *
 * - requested → PrepareMigration once the target reports, at a version at or past the
 *   request, every port of the VM present and ready (pending). Readiness minted before the
 *   request could predate the ports (Neutron's nb_cfg lesson), hence the version check.
 * - prepared → ActivateMigration once the source reports, at or past `prepared`, that none of
 *   the VM's ports forwards. This is what makes the switch break before make: the target may
 *   only forward once the source provably stopped. The target must also still be there, its
 *   ports ready, at or past `prepared` (a target that died after readying its ports would
 *   otherwise receive a VM it cannot run; at `prepared` nothing changes on its switch, so this
 *   report comes at once and costs no downtime). A target that dies after that report and
 *   before activation still receives the VM: the migration waits in `activated` until the
 *   target returns, since rolling back could let both hosts forward. A live handshake with
 *   the target at activation would close that window.
 * - activated → CompleteMigration once the target forwards every port and the source holds
 *   none, both at or past `activated`. Completing changes no switch (placement is the same
 *   for `activated` and a VM resident on the target), so if the source stays silent past the
 *   timeout the target's word is enough: the source drops its ports whenever it applies the
 *   log.
 * - Before activation, a target that is disabled or gone, or a step older than the timeout,
 *   aborts: the VM stays on the source, which forwards again, and the target drops its
 *   pending ports (when it applies the abort, even if that is after a restart).
 */
export function nextStep({
  migration,
  facts,
  source,
  target,
  now,
  timeoutMs,
}: StepInput): NextStep {
  const { status, toHostId, fromHostId } = migration;
  if (status !== 'activated') {
    if (facts.target === 'missing') {
      return { kind: 'abort', reason: `target host ${toHostId} is no longer in the pool` };
    }
    if (facts.target === 'disabled') {
      return { kind: 'abort', reason: `target host ${toHostId} was disabled` };
    }
  }
  const ports = facts.vifIds;
  switch (status) {
    case 'requested': {
      const since = migration.requested;
      if (reportsAtLeast(target, since.version) && ports.every((v) => isReady(target, v))) {
        return { kind: 'send', command: 'PrepareMigration' };
      }
      if (now - since.at >= timeoutMs) {
        return {
          kind: 'abort',
          reason: `timed out after ${timeoutMs} ms waiting for host ${toHostId} to ready the VM's ports`,
        };
      }
      return { kind: 'wait', for: `host ${toHostId} to ready the VM's ports` };
    }
    case 'prepared': {
      const since = migration.prepared ?? migration.requested;
      const sourceQuiet =
        reportsAtLeast(source, since.version) && ports.every((v) => !isForwarding(source, v));
      const targetReady =
        reportsAtLeast(target, since.version) && ports.every((v) => isReady(target, v));
      if (sourceQuiet && targetReady) return { kind: 'send', command: 'ActivateMigration' };
      const waitingFor = sourceQuiet
        ? `host ${toHostId} to confirm the VM's ports at the prepared version`
        : `host ${fromHostId} to stop forwarding the VM's ports`;
      if (now - since.at >= timeoutMs) {
        return {
          kind: 'abort',
          reason: `timed out after ${timeoutMs} ms waiting for ${waitingFor}`,
        };
      }
      return { kind: 'wait', for: waitingFor };
    }
    case 'activated': {
      const since = migration.activated ?? migration.requested;
      const targetForwards =
        reportsAtLeast(target, since.version) && ports.every((v) => isForwarding(target, v));
      if (!targetForwards)
        return { kind: 'wait', for: `host ${toHostId} to forward the VM's ports` };
      const sourceClean =
        reportsAtLeast(source, since.version) && ports.every((v) => !source.ports.has(v));
      if (sourceClean || now - since.at >= timeoutMs) {
        return { kind: 'send', command: 'CompleteMigration' };
      }
      return { kind: 'wait', for: `host ${fromHostId} to remove the VM's ports` };
    }
  }
}

const reportsAtLeast = (view: HostView | undefined, version: number): view is HostView =>
  view !== undefined && view.appliedVersion >= version;

const isReady = (view: HostView | undefined, vif: string): boolean =>
  view?.ports.get(vif)?.ready === true;

const isForwarding = (view: HostView | undefined, vif: string): boolean =>
  view?.ports.get(vif)?.forwarding === true;
