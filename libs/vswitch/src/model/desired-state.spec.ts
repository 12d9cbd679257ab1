import { describe, expect, it } from 'vitest';
import { topology } from '../testing/topology-builder.js';
import { desiredState } from './desired-state.js';
import type { HostDesiredState } from './host-state.js';
import { bridgeName, portName, uplinkBridgeName } from './naming.js';
import type { PoolTopology } from './topology.js';

const br = bridgeName;
const port = portName;

/** A compact view of a desired state: bridge → uplink and ports with their forwarding flag. */
function summary(state: HostDesiredState) {
  return {
    uplinks: state.uplinks.map((u) =>
      u.bond ? `${u.device}[${u.bond.members.join('+')}]` : u.device,
    ),
    bridges: Object.fromEntries(
      state.bridges.map((b) => [
        b.name,
        {
          uplink: b.uplink ? `${b.uplink.device}${b.uplink.vlan ? `.${b.uplink.vlan}` : ''}` : null,
          ports: Object.fromEntries(b.ports.map((p) => [p.name, p.forwarding ? 'up' : 'pending'])),
        },
      ]),
    ),
  };
}

const cases: {
  name: string;
  topology: PoolTopology;
  host: string;
  expected: ReturnType<typeof summary>;
}[] = [
  {
    name: 'external VLAN network on a PIF, with a running VM',
    topology: topology()
      .host('h1')
      .external('n10', 'eth0', 10)
      .vm('vm1', 'h1')
      .vif('v1', 'vm1', 'n10')
      .build(),
    host: 'h1',
    expected: {
      uplinks: ['eth0'],
      bridges: { [br('n10')]: { uplink: 'eth0.10', ports: { [port('v1')]: 'up' } } },
    },
  },
  {
    name: 'external networks exist on every host with the device, even without VMs',
    topology: topology()
      .host('h1')
      .host('h2')
      .external('n10', 'eth0', 10)
      .external('flat', 'eth0')
      .vm('vm1', 'h1')
      .vif('v1', 'vm1', 'n10')
      .build(),
    host: 'h2',
    expected: {
      uplinks: ['eth0'],
      bridges: {
        [br('n10')]: { uplink: 'eth0.10', ports: {} },
        [br('flat')]: { uplink: 'eth0', ports: {} },
      },
    },
  },
  {
    name: 'no bridge for a network whose device the host lacks',
    topology: topology().host('h1', ['eth0']).external('n', 'eth1', 5).build(),
    host: 'h1',
    expected: { uplinks: [], bridges: {} },
  },
  {
    name: 'a bond uplinks its networks; its members carry none of their own',
    topology: topology()
      .host('h1', ['eth0', 'eth1', 'eth2'])
      .bond('h1', 'bond0', ['eth2', 'eth1'])
      .external('nb', 'bond0', 20)
      .external('raw', 'eth1')
      .build(),
    host: 'h1',
    expected: {
      uplinks: ['bond0[eth1+eth2]'],
      bridges: { [br('nb')]: { uplink: 'bond0.20', ports: {} } },
    },
  },
  {
    name: 'a private network exists only where one of its VMs runs, with no uplink',
    topology: topology()
      .host('h1')
      .host('h2')
      .private('p')
      .vm('vm1', 'h1')
      .vif('v1', 'vm1', 'p')
      .build(),
    host: 'h1',
    expected: {
      uplinks: [],
      bridges: { [br('p')]: { uplink: null, ports: { [port('v1')]: 'up' } } },
    },
  },
  {
    name: 'private network absent on another host',
    topology: topology()
      .host('h1')
      .host('h2')
      .private('p')
      .vm('vm1', 'h1')
      .vif('v1', 'vm1', 'p')
      .build(),
    host: 'h2',
    expected: { uplinks: [], bridges: {} },
  },
  {
    name: 'halted VMs have no ports',
    topology: topology()
      .host('h1')
      .private('p')
      .external('n', 'eth0')
      .vm('off')
      .vif('v1', 'off', 'n')
      .vif('v2', 'off', 'p')
      .build(),
    host: 'h1',
    expected: { uplinks: ['eth0'], bridges: { [br('n')]: { uplink: 'eth0', ports: {} } } },
  },
  {
    name: 'an ejected host has nothing',
    topology: topology().host('h1', ['eth0'], { state: 'ejected' }).external('n', 'eth0').build(),
    host: 'h1',
    expected: { uplinks: [], bridges: {} },
  },
  {
    name: 'migration requested: the target holds pending ports, private bridge included',
    topology: topology()
      .host('h1')
      .host('h2')
      .external('n', 'eth0', 7)
      .private('p')
      .vm('vm1', 'h1')
      .vif('v1', 'vm1', 'n')
      .vif('v2', 'vm1', 'p')
      .migrate('vm1', 'h1', 'h2', 'requested')
      .build(),
    host: 'h2',
    expected: {
      uplinks: ['eth0'],
      bridges: {
        [br('n')]: { uplink: 'eth0.7', ports: { [port('v1')]: 'pending' } },
        [br('p')]: { uplink: null, ports: { [port('v2')]: 'pending' } },
      },
    },
  },
  {
    name: 'migration requested: the source still forwards',
    topology: topology()
      .host('h1')
      .host('h2')
      .external('n', 'eth0', 7)
      .vm('vm1', 'h1')
      .vif('v1', 'vm1', 'n')
      .migrate('vm1', 'h1', 'h2', 'requested')
      .build(),
    host: 'h1',
    expected: {
      uplinks: ['eth0'],
      bridges: { [br('n')]: { uplink: 'eth0.7', ports: { [port('v1')]: 'up' } } },
    },
  },
  {
    name: 'migration prepared: the source holds its ports pending (break before make)',
    topology: topology()
      .host('h1')
      .host('h2')
      .external('n', 'eth0', 7)
      .vm('vm1', 'h1')
      .vif('v1', 'vm1', 'n')
      .migrate('vm1', 'h1', 'h2', 'prepared')
      .build(),
    host: 'h1',
    expected: {
      uplinks: ['eth0'],
      bridges: { [br('n')]: { uplink: 'eth0.7', ports: { [port('v1')]: 'pending' } } },
    },
  },
  {
    name: 'migration prepared: the target still holds its ports pending',
    topology: topology()
      .host('h1')
      .host('h2')
      .external('n', 'eth0', 7)
      .vm('vm1', 'h1')
      .vif('v1', 'vm1', 'n')
      .migrate('vm1', 'h1', 'h2', 'prepared')
      .build(),
    host: 'h2',
    expected: {
      uplinks: ['eth0'],
      bridges: { [br('n')]: { uplink: 'eth0.7', ports: { [port('v1')]: 'pending' } } },
    },
  },
  {
    name: 'migration aborted (no migration left): the source forwards again, the target has none',
    topology: topology()
      .host('h1')
      .host('h2')
      .private('p')
      .vm('vm1', 'h1')
      .vif('v2', 'vm1', 'p')
      .build(),
    host: 'h2',
    expected: { uplinks: [], bridges: {} },
  },
  {
    name: 'migration activated: the target forwards',
    topology: topology()
      .host('h1')
      .host('h2')
      .private('p')
      .vm('vm1', 'h1')
      .vif('v2', 'vm1', 'p')
      .migrate('vm1', 'h1', 'h2', 'activated')
      .build(),
    host: 'h2',
    expected: {
      uplinks: [],
      bridges: { [br('p')]: { uplink: null, ports: { [port('v2')]: 'up' } } },
    },
  },
  {
    name: 'migration activated: the source ports (and its now empty private bridge) are gone',
    topology: topology()
      .host('h1')
      .host('h2')
      .private('p')
      .vm('vm1', 'h1')
      .vif('v2', 'vm1', 'p')
      .migrate('vm1', 'h1', 'h2', 'activated')
      .build(),
    host: 'h1',
    expected: { uplinks: [], bridges: {} },
  },
];

describe('desiredState', () => {
  it.each(cases)('$name', ({ topology: t, host, expected }) => {
    expect(summary(desiredState(t, host))).toEqual(expected);
  });

  it('never has two forwarding ports for one VIF, whatever phase each host has applied', () => {
    type Phase = 'requested' | 'prepared' | 'activated' | 'completed' | 'aborted';
    const phases: Phase[] = ['requested', 'prepared', 'activated', 'completed', 'aborted'];
    const at = (phase: Phase) => {
      const t = topology().host('h1').host('h2').external('n', 'eth0', 7).private('p');
      t.vm('vm1', phase === 'completed' ? 'h2' : 'h1');
      t.vif('v1', 'vm1', 'n').vif('v2', 'vm1', 'p');
      if (phase !== 'completed' && phase !== 'aborted') t.migrate('vm1', 'h1', 'h2', phase);
      return t.build();
    };
    const forwardingVifs = (phase: Phase, host: string) =>
      desiredState(at(phase), host)
        .bridges.flatMap((b) => b.ports)
        .filter((p) => p.forwarding)
        .map((p) => p.vifId);
    const late = (phase: Phase) => phase === 'activated' || phase === 'completed';
    // Hosts apply the log each at its own pace, so any pair of phases the log allows may be on
    // the two switches at one moment: the coordinator writes `activated` only once the source
    // has applied `prepared`, and a log that reached `aborted` never reaches `activated`.
    const possible = (source: Phase, target: Phase) =>
      !(late(target) && source === 'requested') &&
      !(source === 'aborted' && late(target)) &&
      !(target === 'aborted' && late(source));
    for (const source of phases) {
      for (const target of phases) {
        if (!possible(source, target)) continue;
        const both = [...forwardingVifs(source, 'h1'), ...forwardingVifs(target, 'h2')];
        expect(both.length, `source at ${source}, target at ${target}`).toBe(new Set(both).size);
      }
    }
  });

  it('carries the VIF address, QoS, security and the ACLs of its network and its own', () => {
    const qos = { ingressKbps: 1000, ingressBurstKb: 100, egressKbps: 0, egressBurstKb: 50 };
    const t = topology()
      .host('h1')
      .external('n', 'eth0', 10)
      .external('other', 'eth0', 11)
      .vm('vm1', 'h1')
      .vif('v1', 'vm1', 'n', {
        mac: '02:AB:00:00:00:01',
        ipv4: '10.0.0.5',
        portSecurity: true,
        qos,
      })
      .acl('net-low', { networkId: 'n' }, { priority: 10 })
      .acl('vif-high', { vifId: 'v1' }, { priority: 900, match: { protocol: 'tcp', portFrom: 22 } })
      .acl('elsewhere', { networkId: 'other' })
      .build();
    const [bridge] = desiredState(t, 'h1').bridges.filter((b) => b.networkId === 'n');
    expect(bridge?.ports[0]).toMatchObject({
      mac: '02:ab:00:00:00:01',
      ipv4: '10.0.0.5',
      portSecurity: true,
      // A zero rate has no burst: drivers read it back as 0.
      qos: { ingressKbps: 1000, ingressBurstKb: 100, egressKbps: 0, egressBurstKb: 0 },
      acls: [{ id: 'vif-high' }, { id: 'net-low' }],
    });
  });

  it('mirrors on the bridge of a forwarding destination, selecting forwarding sources there', () => {
    const t = topology()
      .host('h1')
      .private('p')
      .vm('web', 'h1')
      .vm('tap', 'h1')
      .vm('coming', 'h2')
      .vif('w', 'web', 'p')
      .vif('t', 'tap', 'p')
      .vif('c', 'coming', 'p')
      .migrate('coming', 'h2', 'h1')
      .mirror('m', { networkId: 'p' }, 't', 'ingress')
      .build();
    const [bridge] = desiredState(t, 'h1').bridges;
    expect(bridge?.mirrors).toEqual([
      expect.objectContaining({
        mirrorId: 'm',
        direction: 'ingress',
        sourcePorts: [port('w')],
        outputPort: port('t'),
      }),
    ]);
  });

  it('names fit the 15-character interface limit and do not depend on the host', () => {
    const name = bridgeName('3f1c2b7e-0d5a-4c7f-9a51-1b2c3d4e5f60');
    expect(name).toMatch(/^pnb-[0-9a-f]{10}$/);
    expect(portName('x')).toMatch(/^pnv-[0-9a-f]{10}$/);
    expect(uplinkBridgeName('bond0').length).toBeLessThanOrEqual(15);
    const t = topology().host('h1').host('h2').external('n', 'eth0').build();
    expect(desiredState(t, 'h1')).toEqual(desiredState(t, 'h2'));
  });
});
