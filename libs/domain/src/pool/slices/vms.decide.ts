import type { CreateVm, DestroyVm, RenameVm, StartVm, StopVm } from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import type { PoolState } from '../pool.state.js';
import type { Vm } from '../pool.types.js';
import { requireName } from '../pool.validation.js';
import { destroyVifEvents } from './cascade.js';
import { activeMigration, getVm, requireNewId } from './lookups.js';
import { requirePlacement } from './uplinks.js';

export const requireHalted = (vm: Vm): void => {
  if (vm.powerState !== 'halted') {
    throw poolError(
      'VM_NOT_HALTED',
      `VM ${vm.id} must be halted, but it runs on host ${vm.residentHostId}`,
      {
        vmId: vm.id,
        hostId: vm.residentHostId,
      },
    );
  }
};

/** The host a running VM is on. */
export const requireRunning = (vm: Vm): string => {
  if (vm.residentHostId === null) {
    throw poolError('VM_NOT_RUNNING', `VM ${vm.id} must be running, but it is halted`, {
      vmId: vm.id,
    });
  }
  return vm.residentHostId;
};

/** While a VM migrates its ports exist on two hosts; its VIFs and power state stay put. */
export const requireNotMigrating = (state: PoolState, vm: Vm): void => {
  const migration = activeMigration(state, vm.id);
  if (migration) {
    throw poolError(
      'VM_MIGRATING',
      `VM ${vm.id} is migrating (${migration.id}); retry once it ends`,
      {
        vmId: vm.id,
        migrationId: migration.id,
      },
    );
  }
};

export const createVm = ({ data }: CreateVm, state: PoolState): PoolEvent[] => {
  const vmId = requireNewId('VM', state.vms, 'vmId', data.vmId);
  return [poolEvent('VmCreated', { vmId, name: requireName('name', data.name) })];
};

export const renameVm = ({ data }: RenameVm, state: PoolState): PoolEvent[] => {
  const vm = getVm(state, data.vmId);
  const name = requireName('name', data.name);
  return name === vm.name ? [] : [poolEvent('VmRenamed', { vmId: vm.id, name })];
};

export const startVm = ({ data }: StartVm, state: PoolState): PoolEvent[] => {
  const vm = getVm(state, data.vmId);
  requireHalted(vm);
  const host = requirePlacement(state, data.hostId, vm);
  return [poolEvent('VmStarted', { vmId: vm.id, hostId: host.id })];
};

export const stopVm = ({ data }: StopVm, state: PoolState): PoolEvent[] => {
  const vm = getVm(state, data.vmId);
  const hostId = requireRunning(vm);
  if (data.hostId !== undefined && data.hostId !== hostId) {
    throw poolError('VM_NOT_ON_HOST', `VM ${vm.id} runs on host ${hostId}, not ${data.hostId}`, {
      vmId: vm.id,
      hostId,
      expectedHostId: data.hostId,
    });
  }
  requireNotMigrating(state, vm);
  return [poolEvent('VmStopped', { vmId: vm.id, hostId })];
};

/** Its VIFs, and the ACL rules and mirrors on them, are destroyed first. */
export const destroyVm = ({ data }: DestroyVm, state: PoolState): PoolEvent[] => {
  const vm = getVm(state, data.vmId);
  requireHalted(vm);
  const seen = new Set<string>();
  const events: PoolEvent[] = [];
  for (const vifId of state.indexes.vifsByVm.get(vm.id)?.values() ?? []) {
    const vif = state.vifs.get(vifId);
    if (vif) events.push(...destroyVifEvents(state, vif, seen));
  }
  return [...events, poolEvent('VmDestroyed', { vmId: vm.id })];
};
