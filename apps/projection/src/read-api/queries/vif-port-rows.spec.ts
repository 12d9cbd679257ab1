import fc from 'fast-check';
import { bridgeName, portName } from '@pool/contracts';
import { toTopology } from '@pool/pool-topology';
import { desiredState } from '@pool/vswitch';
import { describe, expect, it } from 'vitest';
import {
  commands,
  decideAll,
  HOSTS,
  SEED,
} from '../../../../../libs/pool-topology/src/testing/random-pool.js';
import { deriveAllRows } from '../../read-models/derive/fold-log.js';
import { PoolFold } from '../../read-models/derive/pool-fold.js';
import type { MigrationRow } from '../../read-models/entities/migration-row.entity.js';
import { ACTIVE_MIGRATION, vifSwitchPorts, vmPortHosts } from './vif-port-rows.js';

const running = { powerState: 'running' as const, hostId: 'h1' };
const migration = (status: string) =>
  ({ fromHostId: 'h1', toHostId: 'h2', status }) as MigrationRow;

describe('VIF port rows', () => {
  it('names the port and bridge from the ids alone, whether the VM runs or not', () => {
    const vif = { id: 'vif-1', networkId: 'net-1' };
    const halted = vifSwitchPorts(
      vif,
      vmPortHosts({ powerState: 'halted', hostId: null }, undefined),
      new Map(),
    );
    expect(halted).toEqual({ port: portName('vif-1'), bridge: bridgeName('net-1'), ports: [] });
    expect(vifSwitchPorts(vif, vmPortHosts(running, undefined), new Map()).ports).toEqual([
      { hostId: 'h1', port: portName('vif-1'), bridge: bridgeName('net-1'), role: 'active' },
    ]);
  });

  it("marks a host's port whose device that host reports absent, and no other", () => {
    const vif = { id: 'vif-1', networkId: 'net-1' };
    const hosts = vmPortHosts(running, migration('requested'));
    const unplugged = { plugged: false, device: null };
    const reported = new Map([
      ['h2/vif-1', unplugged],
      ['h1/vif-9', unplugged],
    ]);
    const ports = vifSwitchPorts(vif, hosts, reported).ports;
    expect(ports.map((p) => [p.hostId, p.plugged])).toEqual([
      ['h1', undefined],
      ['h2', false],
    ]);
  });

  it("shows the hypervisor's device a host adopted for the port, on that host only", () => {
    const vif = { id: 'vif-1', networkId: 'net-1' };
    const hosts = vmPortHosts(running, migration('requested'));
    const reported = new Map([['h1/vif-1', { plugged: true, device: 'vnet7' }]]);
    const ports = vifSwitchPorts(vif, hosts, reported).ports;
    expect(ports.map((p) => [p.hostId, p.device, p.plugged])).toEqual([
      ['h1', 'vnet7', undefined],
      ['h2', undefined, undefined],
    ]);
  });

  it('lists both hosts during a migration, and only the active one forwards', () => {
    const roles = (status: string) =>
      vmPortHosts(running, migration(status)).map((h) => `${h.hostId}:${h.role}`);
    expect(roles('requested')).toEqual(['h1:active', 'h2:pending']);
    expect(roles('prepared')).toEqual(['h1:pending', 'h2:pending']);
    expect(roles('activated')).toEqual(['h2:active']);
    // A finished migration's row stays in the read models; the VM's row then says where it runs.
    expect(roles('completed')).toEqual(['h1:active']);
    expect(roles('aborted')).toEqual(['h1:active']);
  });

  /*
   * What the read API shows is what the hosts build: from the read model rows of a random pool's
   * log, each VIF's ports are exactly the ports (name, bridge, forwarding) the vSwitch model puts
   * in each host's desired state for that log.
   */
  it('agrees with every host desired state for random pools (property)', () => {
    fc.assert(
      fc.property(commands(60), (cmds) => {
        const { state, events } = decideAll([...SEED, ...cmds]);
        const fold = new PoolFold('p1');
        events.forEach((event, i) => fold.apply(event, i + 1, '2025-01-01T00:00:00.000Z'));
        const rows = deriveAllRows([fold]);
        const active = (rows.migrations ?? []).filter((m) =>
          (ACTIVE_MIGRATION as readonly string[]).includes(m.status),
        );
        const fromRows = new Set<string>();
        for (const vif of rows.vifs ?? []) {
          const vm = rows.vms.find((v) => v.id === vif.vmId)!;
          const hosts = vmPortHosts(
            vm,
            active.find((m) => m.vmId === vm.id),
          );
          for (const p of vifSwitchPorts(vif, hosts, new Map()).ports) {
            fromRows.add(`${p.hostId} ${p.bridge} ${p.port} ${vif.id} ${p.role === 'active'}`);
          }
        }
        const topology = toTopology(state);
        const built = new Set<string>();
        for (const hostId of HOSTS) {
          for (const bridge of desiredState(topology, hostId).bridges) {
            for (const port of bridge.ports) {
              built.add(`${hostId} ${bridge.name} ${port.name} ${port.vifId} ${port.forwarding}`);
            }
          }
        }
        expect(fromRows).toEqual(built);
      }),
      { numRuns: 150 },
    );
  });
});
