import type { HostView, OverlayHostView, SwitchNetworkView, SwitchView } from '@pool/contracts';
import { html, nothing, type TemplateResult } from 'lit-html';
import { type Lookup } from '../lookup.js';
import { tunnelState } from '../render-overlay.js';
import { pageLink } from './links.js';

/** A tunnel as the picture draws it: BFD's `unreachable` apart from a tunnel that is missing. */
export type FabricTunnelState = 'up' | 'down' | 'unreachable' | 'converging' | 'unknown';

/**
 * The tunnel between two hosts of a mesh, as drawn: `unreachable` when it is on both switches
 * but either end's liveness check (BFD) hears nothing from the other; otherwise as the mesh
 * drawing says it (render-overlay.ts).
 */
export function fabricTunnelState(a: OverlayHostView, b: OverlayHostView): FabricTunnelState {
  const state = tunnelState(a, b);
  if (state !== 'down') return state;
  const lacks = a.missing.includes(b.hostId) || b.missing.includes(a.hostId);
  return lacks ? 'down' : 'unreachable';
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const KIND_ORDER = { external: 0, overlay: 1, private: 2 };

/**
 * The pool as one switch, drawn (issues 19 and 22): a row per host, a column per network, and
 * in each crossing what carries that network on that host — the uplink NIC and VLAN tag, the
 * overlay's tunnels to every other host with their state and the underlay figures the decider
 * holds the overlay's MTU to (endpoint PIF MTU, VXLAN overhead, headroom), or nothing for a
 * host-local private network. Hosts and networks link to their pages. A grid scrolls inside
 * its card, so the page never grows wider than a phone.
 */
export function renderFabric(
  sw: SwitchView,
  hosts: HostView[] | null,
  lookup: Lookup,
): TemplateResult {
  const networks = [...sw.networks].sort(
    (a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name),
  );
  const rows = [...(hosts ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  if (networks.length === 0 || rows.length === 0) {
    return html`<p class="empty">
      ${rows.length === 0 ? 'No host has joined yet.' : 'No networks yet.'}
    </p>`;
  }
  const tally = tunnelTally(networks);
  return html`<figure class="fabric-figure">
    <div class="fabric-scroll">
      <table class="fabric">
        <caption class="sr-only">
          Hosts by networks: what carries each network on each host
        </caption>
        <thead>
          <tr>
            <th scope="col" class="fabric-corner">host ╲ network</th>
            ${networks.map((n) => networkHead(n))}
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (host) =>
              html`<tr>
                <th scope="row" class="fabric-host" data-key=${`host/${host.id}`}>
                  ${pageLink('host', host.id, host.name)}
                  <span class=${`pill ${host.enabled ? 'ok' : 'idle'}`}
                    >${host.enabled ? 'enabled' : 'disabled'}</span
                  >
                  <span class="fabric-sub mono"
                    >${
                      host.tunnel
                        ? `tunnel ${host.tunnel.device} ${host.tunnel.address}`
                        : 'no tunnel endpoint'
                    }</span
                  >
                </th>
                ${networks.map((n) => crossing(host, n, lookup))}
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <figcaption>
      ${plural(rows.length, 'host')} × ${plural(networks.length, 'network')} ·
      ${plural(tally.total, 'tunnel')}: ${tally.up} up
      ${tally.unreachable > 0 ? html`· <span class="bad-text">${tally.unreachable} unreachable</span>` : nothing}
      ${tally.down > 0 ? html`· <span class="bad-text">${tally.down} down</span>` : nothing}
      ${tally.converging > 0 ? html`· ${tally.converging} converging` : nothing}
      ${tally.unknown > 0 ? html`· ${tally.unknown} not reported` : nothing}
    </figcaption>
  </figure>`;
}

function networkHead(n: SwitchNetworkView): TemplateResult {
  const tag =
    n.kind === 'external'
      ? n.vlan === null
        ? 'untagged'
        : `VLAN ${n.vlan}`
      : n.kind === 'overlay'
        ? `VNI ${n.vni ?? '?'}`
        : 'host-local';
  return html`<th scope="col" class="fabric-net" data-key=${`network/${n.id}`}>
    ${pageLink('network', n.id, n.name)}
    <span class=${`badge kind-${n.kind}`}>${n.kind}</span>
    <span class="fabric-sub">${tag} · MTU ${n.mtu}</span>
  </th>`;
}

/** What carries network `n` on `host`. */
function crossing(host: HostView, n: SwitchNetworkView, lookup: Lookup): TemplateResult {
  const key = `${host.id}/${n.id}`;
  const ports = n.ports.filter((p) => p.hostId === host.id).length;
  const vms = ports > 0 ? html`<span class="fabric-sub">${ports} ports</span>` : nothing;
  if (n.kind === 'private') {
    return html`<td class="fabric-cell private" data-key=${key}>
      <span class="fabric-sub">local only</span>${vms}
    </td>`;
  }
  if (n.kind === 'external') {
    const uplink = n.uplinks.find((u) => u.hostId === host.id);
    if (!uplink) {
      return html`<td class="fabric-cell missing" data-key=${key}>
        <span class="pill ${host.enabled ? 'warn' : 'idle'}">no uplink</span>
      </td>`;
    }
    return html`<td class="fabric-cell uplinked" data-key=${key}>
      <span class="fabric-uplink mono">${uplink.device}</span>
      <span class="tag">${n.vlan === null ? 'untagged' : `tag ${n.vlan}`}</span>${vms}
    </td>`;
  }
  return overlayCrossing(host, n, lookup, key, vms);
}

function overlayCrossing(
  host: HostView,
  n: SwitchNetworkView,
  lookup: Lookup,
  key: string,
  vms: TemplateResult | typeof nothing,
): TemplateResult {
  const under = n.underlay?.find((u) => u.hostId === host.id);
  const underlay = under
    ? html`<span
        class=${`fabric-sub mono underlay ${under.headroom < 0 ? 'bad-text' : ''}`}
        title="endpoint PIF MTU − VXLAN overhead − this network's MTU = headroom"
        >${under.device} MTU ${under.underlayMtu} − ${under.overhead} VXLAN → headroom
        ${under.headroom}</span
      >`
    : html`<span class="fabric-sub">no tunnel endpoint</span>`;
  const self = n.tunnels.find((t) => t.hostId === host.id);
  if (!self) {
    return html`<td class="fabric-cell overlay idle" data-key=${key}>
      ${underlay}<span class="fabric-sub">not carried here (no VM on it)</span>
    </td>`;
  }
  const peers = n.tunnels.filter((t) => t.hostId !== host.id);
  return html`<td class="fabric-cell overlay" data-key=${key}>
    ${underlay}
    <ul class="fabric-tunnels" aria-label=${`Tunnels of ${lookup.host(host.id)} on ${n.name}`}>
      ${peers.map((peer) => {
        const state = fabricTunnelState(self, peer);
        return html`<li
          class=${`fabric-tunnel ${state}`}
          data-tunnel=${`${host.id}~${peer.hostId}`}
        >
          ⇄ ${pageLink('host', peer.hostId, lookup.host(peer.hostId))}
          <span class="tunnel-state">${state}</span>
        </li>`;
      })}
      ${peers.length === 0 ? html`<li class="fabric-sub">no other host yet</li>` : nothing}
    </ul>
    ${vms}
  </td>`;
}

/** Each tunnel once (a pair of hosts on a network), by state. */
function tunnelTally(networks: SwitchNetworkView[]) {
  const tally = { total: 0, up: 0, down: 0, unreachable: 0, converging: 0, unknown: 0 };
  for (const n of networks) {
    n.tunnels.forEach((a, i) => {
      for (const b of n.tunnels.slice(i + 1)) {
        tally.total += 1;
        tally[fabricTunnelState(a, b)] += 1;
      }
    });
  }
  return tally;
}
