import { type PoolSnapshot } from '@pool/domain';

/**
 * A pool's configuration alone, to compare two pools or two versions of one: no pool id,
 * times or MAC counter, no runtime (where VMs run, migrations).
 */
export function configOf(state: unknown): PoolSnapshot {
  const s = state as PoolSnapshot;
  return {
    ...s,
    id: '',
    createdAt: '',
    macSequence: 0,
    hosts: s.hosts.map((host) => ({ ...host, joinedAt: '' })),
    vms: s.vms.map((vm) => ({ ...vm, powerState: 'halted', residentHostId: null })),
    migrations: [],
  };
}
