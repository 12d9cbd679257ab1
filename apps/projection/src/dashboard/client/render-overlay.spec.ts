import { describe, expect, it } from 'vitest';
import type { SwitchNetworkView } from '@pool/contracts';
import { buildLookup } from './lookup.js';
import { renderOverlayMesh, tunnelState } from './render-overlay.js';
import { renderSwitch } from './render-switch.js';
import { HOSTS, meshHost, overlayNetwork, SWITCH, visibleText, VMS } from './testing/fixtures.js';

const lookup = buildLookup({ hosts: HOSTS, vms: VMS, switch: SWITCH });
const text = visibleText;

/** tenant-a (VNI 7) on three hosts; host-c lacks its tunnel to host-a. */
const OVERLAY: SwitchNetworkView = overlayNetwork({
  ports: SWITCH.networks[0]!.ports.map((p) => ({ ...p, vifId: `${p.vifId}-ov` })),
  tunnels: [
    meshHost('host-a'),
    meshHost('host-b'),
    meshHost('host-c', { applied: 1, missing: ['host-a'], state: 'partial' }),
  ],
});

describe('the overlay mesh', () => {
  it('judges a tunnel by both ends: down if either lacks it, unknown until both reported', () => {
    const [a, b, c] = OVERLAY.tunnels;
    expect(tunnelState(a!, b!)).toBe('up');
    expect(tunnelState(a!, c!)).toBe('down');
    expect(tunnelState(b!, c!)).toBe('up');
    expect(tunnelState(a!, meshHost('host-d', { state: 'unreported' }))).toBe('unknown');
    expect(tunnelState(a!, meshHost('host-d', { state: 'converging' }))).toBe('converging');
  });

  it("draws a tunnel whose BFD session is not up as down, and names the host that doesn't answer", () => {
    const silent = meshHost('host-b', { unreachable: ['host-a'], state: 'unreachable' });
    expect(tunnelState(OVERLAY.tunnels[0]!, silent)).toBe('down');
    expect(tunnelState(silent, OVERLAY.tunnels[0]!)).toBe('down');
    const markup = renderOverlayMesh({ ...OVERLAY, tunnels: [meshHost('host-a'), silent] }, lookup);
    expect(text(markup.value)).toContain('2 / 2 peers not answering no answer from host-a');
  });

  it('draws every host of the network and a line per tunnel, coloured by its state', () => {
    const markup = renderOverlayMesh(OVERLAY, lookup).value;
    expect(markup.match(/<g class="mesh-node /g)).toHaveLength(3);
    expect(markup.match(/class="tunnel up"/g)).toHaveLength(2);
    expect(markup.match(/class="tunnel down"/g)).toHaveLength(1);
    expect(text(markup)).toContain('VXLAN full mesh, no centre: 3 tunnels, 2 up · 1 down');
    expect(text(markup)).toContain('host-c 192.0.2.3 0 1 / 2 tunnels missing to host-a');
    expect(text(markup)).toContain('host-a 192.0.2.1 1 2 / 2 all tunnels up');
  });

  it('sits in the pool switch between uplinked and private networks, with its VNI', () => {
    const sw = { ...SWITCH, networks: [...SWITCH.networks, OVERLAY] };
    const markup = renderSwitch(sw, HOSTS, lookup).value;
    expect(text(markup)).toContain('tenant-a overlay VXLAN VNI 7 MTU 1450');
    expect(markup.indexOf('net-net-prod')).toBeLessThan(markup.indexOf('net-ov-a'));
    expect(markup.indexOf('net-ov-a')).toBeLessThan(markup.indexOf('net-net-priv'));
  });

  it('says when no host carries it yet, and summarises past the hosts it draws', () => {
    expect(renderOverlayMesh({ ...OVERLAY, tunnels: [] }, lookup).value).toContain(
      'no host carries it yet',
    );
    const many = Array.from({ length: 20 }, (_, i) => meshHost(`h${i}`, { wanted: 19 }));
    const markup = renderOverlayMesh({ ...OVERLAY, tunnels: many }, lookup).value;
    expect(markup.match(/<g class="mesh-node /g)).toHaveLength(16);
    expect(text(markup)).toContain('4 more hosts in the table');
    expect(markup.match(/<tr data-key=/g)).toHaveLength(20);
  });
});
