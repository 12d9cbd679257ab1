import { describe, expect, it } from 'vitest';
import { desiredState } from '../../model/desired-state.js';
import { bridgeName, portName } from '../../model/naming.js';
import { topology } from '../../testing/topology-builder.js';
import { desiredFlows, flowSpec } from './desired-flows.js';
import { baseFlows, cookie, hex, pendingFlows, policingFlows } from './flows.js';
import { resolveOvsOptions } from './ovs-options.js';

const spec = flowSpec;
const options = resolveOvsOptions({ runDir: '/nonexistent' });
const bridge = bridgeName('n1');
const [a, b] = [portName('v-a'), portName('v-b')];

function pool(migrating = false) {
  const t = topology()
    .host('h1')
    .host('h2')
    .private('n1')
    .vm('a', 'h1')
    .vm('b', 'h2')
    .vif('v-a', 'a', 'n1', {
      mac: '02:00:00:00:00:01',
      ipv4: '10.0.0.1',
      portSecurity: true,
      qos: { ingressKbps: 100, ingressBurstKb: 10, egressKbps: 0, egressBurstKb: 0 },
    })
    .vif('v-b', 'b', 'n1', { mac: '02:00:00:00:00:02' })
    .acl('no-ping', { networkId: 'n1' }, { priority: 5, match: { protocol: 'icmp' } });
  if (migrating) t.migrate('b', 'h2', 'h1', 'requested');
  return desiredState(t.build(), 'h1');
}

describe('desiredFlows', () => {
  it('is what apply installs from nothing: base pipeline, port flows, policing by ofport', () => {
    const flows = desiredFlows(pool(), options, new Map([[a, 7]])).get(bridge) ?? [];
    expect(flows).toEqual(expect.arrayContaining(baseFlows(bridge).map(spec)));
    expect(flows).toEqual(expect.arrayContaining(policingFlows(a, 7).map(spec)));
    const concerns = (port: string, concern: 'security' | 'acl') =>
      flows.filter((f) => f.startsWith(`cookie=${hex(cookie(port, concern))},`)).length;
    expect(concerns(a, 'security')).toBeGreaterThan(0);
    expect(concerns(a, 'acl')).toBeGreaterThan(0);
    // A forwarding port's pending drop was lifted by a later step of the same pass.
    expect(flows).not.toContain(spec(pendingFlows(a)[0]!));
    expect(flows.every((f) => f.startsWith('cookie='))).toBe(true);
  });

  it('keeps a pending port dropped, and leaves out policing where the port has no ofport', () => {
    const flows = desiredFlows(pool(true), options, new Map()).get(bridge) ?? [];
    expect(flows).toContain(spec(pendingFlows(b)[0]!));
    expect(flows.some((f) => f.includes('meter:'))).toBe(false);
  });

  it('expects nothing of a host without bridges', () => {
    expect(
      desiredFlows(desiredState(topology().host('h1').build(), 'h1'), options, new Map()),
    ).toEqual(new Map());
  });
});
