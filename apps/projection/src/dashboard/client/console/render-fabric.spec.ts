import type { SwitchNetworkView, SwitchView } from '@pool/contracts';
import { describe, expect, it } from 'vitest';
import { buildLookup } from '../lookup.js';
import { host, meshHost, overlayNetwork, SWITCH, visibleText, VMS } from '../testing/fixtures.js';
import { litMarkup } from '../testing/lit-markup.js';
import { fabricTunnelState, renderFabric } from './render-fabric.js';

const HOSTS = [
  host('host-a', { tunnel: { device: 'eth0', address: '192.0.2.1' } }),
  host('host-b', { tunnel: { device: 'eth0', address: '192.0.2.2' } }),
  host('host-c', { tunnel: { device: 'eth0', address: '192.0.2.3' } }),
];

/** tenant-a on three hosts: host-c hears nothing from host-a (BFD); host-b lacks host-c's. */
const OVERLAY: SwitchNetworkView = overlayNetwork({
  underlay: HOSTS.map((h, i) => ({
    hostId: h.id,
    device: 'eth0',
    address: `192.0.2.${i + 1}`,
    underlayMtu: i === 2 ? 9000 : 1500,
    overhead: 50,
    headroom: i === 2 ? 7500 : 0,
  })),
  ports: [],
  tunnels: [
    meshHost('host-a'),
    meshHost('host-b', { missing: ['host-c'], applied: 1, state: 'partial' }),
    meshHost('host-c', { unreachable: ['host-a'], state: 'unreachable' }),
  ],
});

const sw: SwitchView = { ...SWITCH, networks: [...SWITCH.networks, OVERLAY] };
const lookup = buildLookup({ hosts: HOSTS, vms: VMS, switch: sw });
const markup = () => litMarkup(renderFabric(sw, HOSTS, lookup));
const cell = (key: string) => {
  const all = markup();
  const start = all.lastIndexOf('<td', all.indexOf(`data-key="${key}"`));
  return visibleText(all.slice(start, all.indexOf('</td>', start)));
};

describe('the pool as one switch, drawn', () => {
  it('tells a tunnel BFD cannot hear from one that is missing', () => {
    const [a, b, c] = OVERLAY.tunnels;
    expect(fabricTunnelState(a!, b!)).toBe('up');
    expect(fabricTunnelState(b!, c!)).toBe('down');
    expect(fabricTunnelState(a!, c!)).toBe('unreachable');
    expect(fabricTunnelState(c!, a!)).toBe('unreachable');
  });

  it('draws a row per host and a column per network, uplinked networks first', () => {
    const all = markup();
    expect(all.match(/<th scope="row"/g)).toHaveLength(3);
    expect(all.match(/<th scope="col"/g)).toHaveLength(sw.networks.length + 1);
    expect(all.indexOf('data-key="network/net-prod"')).toBeLessThan(
      all.indexOf('data-key="network/ov-a"'),
    );
    expect(all).toContain('href="#/host/host-a"');
    expect(all).toContain('href="#/network/ov-a"');
    expect(visibleText(all)).toContain(
      '3 hosts × 3 networks · 3 tunnels: 1 up · 1 unreachable · 1 down',
    );
  });

  it('shows each uplink with its tag, and a host an external network has no uplink on', () => {
    expect(cell('host-a/net-prod')).toBe('eth1 tag 100 1 ports');
    expect(cell('host-c/net-prod')).toBe('no uplink');
  });

  it("shows an overlay's tunnels to each other host with their state, and the underlay figures", () => {
    expect(cell('host-a/ov-a')).toBe(
      'eth0 MTU 1500 − 50 VXLAN → headroom 0 ⇄ host-b up ⇄ host-c unreachable',
    );
    expect(cell('host-c/ov-a')).toBe(
      'eth0 MTU 9000 − 50 VXLAN → headroom 7500 ⇄ host-a unreachable ⇄ host-b down',
    );
    expect(markup()).toMatch(/class="fabric-tunnel unreachable"\s+data-tunnel="host-a~host-c"/);
  });
});
