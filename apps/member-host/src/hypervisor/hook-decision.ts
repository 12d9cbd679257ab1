import type { LibvirtHookOperation } from '@pool/contracts';
import type { PoolState } from '@pool/domain';

/** The command a hook call turns into, sent as the host (HOST_COMMAND_HOST_FIELD). */
export type HookCommand =
  | { type: 'StartVm'; data: { vmId: string; hostId: string } }
  | { type: 'StopVm'; data: { vmId: string; hostId: string } }
  | {
      type: 'RequestMigration';
      data: { migrationId: string; vmId: string; toHostId: string; acceptIsolation: true };
    };

export type HookDecision = { command: HookCommand; reason: string } | { skip: string };

/** The VM runs here from these on: libvirt has started it, or found it running. */
const RUNS_HERE = new Set<LibvirtHookOperation>(['start', 'started', 'reconnect', 'attach']);
const STOPPED_HERE = new Set<LibvirtHookOperation>(['stopped', 'release']);

/**
 * What one call of libvirt's qemu hook on `host` means to the pool, judged on the host's replica
 * of the log (pure; DESIGN §5 and the README's libvirt walk-through):
 *
 * - start, started, reconnect, attach: the VM runs here. Halted → StartVm here; running on
 *   another host with no migration → RequestMigration here (the hypervisor moved it without
 *   telling the pool); already here or migrating here → nothing.
 * - migrate (called on the target as an incoming migration begins): RequestMigration here,
 *   unless one is under way or the VM is halted (an offline move; its start here places it).
 *   Either RequestMigration accepts isolation: libvirt moves the VM whatever the pool says (the
 *   hook never blocks it), so a PRIVATE_NETWORK_PEERS refusal would only leave the log placing
 *   it on the host it left; the event records that the move cut it from its private peers.
 * - stopped, release: halted here. StopVm naming this host (the master refuses it if the VM
 *   runs elsewhere by then); nothing while a migration of the VM is under way or after one
 *   (release's shutoff reason `migrated`): the migration moves its ports.
 * - prepare, restore: nothing (start and started follow).
 */
export function decideHookCommand(
  state: PoolState,
  host: string,
  vmId: string,
  operation: LibvirtHookOperation,
  extra: string,
  newId: () => string,
): HookDecision {
  const vm = state.vms.get(vmId);
  if (!vm) return { skip: `no VM ${vmId} in the pool (as this host has read the log)` };
  const migrationId = state.indexes.migrationByVm.get(vm.id);
  const migration = migrationId === undefined ? undefined : state.migrations.get(migrationId);
  const where = vm.residentHostId;
  const migrateHere = (reason: string): HookDecision => ({
    command: {
      type: 'RequestMigration',
      data: { migrationId: newId(), vmId: vm.id, toHostId: host, acceptIsolation: true },
    },
    reason,
  });

  if (RUNS_HERE.has(operation) || operation === 'migrate') {
    if (migration) {
      return migration.toHostId === host
        ? { skip: `already migrating here (migration ${migration.id})` }
        : { skip: `migrating from ${migration.fromHostId} to ${migration.toHostId}` };
    }
    if (where === host) return { skip: 'already runs here' };
    if (where === null) {
      return operation === 'migrate'
        ? { skip: 'halted: an offline move; starting it here will place it' }
        : {
            command: { type: 'StartVm', data: { vmId: vm.id, hostId: host } },
            reason: `libvirt ${operation}`,
          };
    }
    return migrateHere(
      operation === 'migrate'
        ? `incoming migration from ${where}`
        : `libvirt ${operation} here while the log places it on ${where}`,
    );
  }
  if (STOPPED_HERE.has(operation)) {
    if (extra === 'migrated') return { skip: 'migrated away: the migration moves its ports' };
    if (migration) {
      return {
        skip: `a migration from ${migration.fromHostId} to ${migration.toHostId} is under way`,
      };
    }
    if (where === null) return { skip: 'already halted' };
    if (where !== host) return { skip: `runs on ${where}, not here` };
    return {
      command: { type: 'StopVm', data: { vmId: vm.id, hostId: host } },
      reason: `libvirt ${operation}`,
    };
  }
  return { skip: `nothing to do at ${operation}` };
}
