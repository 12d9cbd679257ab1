import { describe, expect, it } from 'vitest';
import { bridgeName, mirrorName, portName, uplinkBridgeName } from './switch-names.js';
import { portHosts, vifPorts } from './vif-ports.js';

describe('switch names', () => {
  it('keeps the names hypervisors create devices under from one release to the next', () => {
    // Pinned: a device created under an earlier release's name must still be found.
    expect(portName('web-1-eth0')).toBe('pnv-0a14d4ea58');
    expect(bridgeName('prod')).toBe('pnb-7e96f6f700');
  });

  it('fits a Linux interface name and depends on the id alone', () => {
    const id = '9b2f4c1e-8a77-4d0b-9d6e-2f0c1b3a5e77';
    for (const name of [portName(id), bridgeName(id), uplinkBridgeName(id), mirrorName(id)]) {
      expect(name).toMatch(/^pn[vbum]-[0-9a-f]{10}$/);
      expect(name.length).toBeLessThanOrEqual(15);
    }
    expect(portName(id)).toBe(portName(id));
    expect(portName(id)).not.toBe(portName(`${id}x`));
    // The role is hashed in too: a VIF and a network with one id get unrelated names.
    expect(portName(id).slice(4)).not.toBe(bridgeName(id).slice(4));
  });
});

describe('port hosts', () => {
  const vm = { powerState: 'running', residentHost: 'h1' };
  const during = (phase: 'requested' | 'prepared' | 'activated') =>
    portHosts(vm, { fromHost: 'h1', toHost: 'h2', phase });

  it('puts a running VM ports on its host and a halted one nowhere', () => {
    expect(portHosts(vm)).toEqual([{ hostId: 'h1', role: 'active' }]);
    expect(portHosts({ powerState: 'halted', residentHost: null })).toEqual([]);
    expect(
      portHosts(
        { ...vm, powerState: 'halted' },
        { fromHost: 'h1', toHost: 'h2', phase: 'requested' },
      ),
    ).toEqual([]);
  });

  it('breaks before it makes during a migration', () => {
    expect(during('requested')).toEqual([
      { hostId: 'h1', role: 'active' },
      { hostId: 'h2', role: 'pending' },
    ]);
    expect(during('prepared')).toEqual([
      { hostId: 'h1', role: 'pending' },
      { hostId: 'h2', role: 'pending' },
    ]);
    expect(during('activated')).toEqual([{ hostId: 'h2', role: 'active' }]);
    expect(portHosts(vm, { fromHost: 'h1', toHost: 'h1', phase: 'prepared' })).toEqual([
      { hostId: 'h1', role: 'active' },
    ]);
  });

  it('names each host port of a VIF alike', () => {
    expect(vifPorts({ id: 'v', networkId: 'n' }, during('requested'))).toEqual([
      { hostId: 'h1', port: portName('v'), bridge: bridgeName('n'), role: 'active' },
      { hostId: 'h2', port: portName('v'), bridge: bridgeName('n'), role: 'pending' },
    ]);
  });
});
