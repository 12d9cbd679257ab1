import type {
  HostView,
  PortState,
  SwitchNetworkView,
  SwitchPortView,
  SwitchView,
} from '@pool/contracts';
import { count } from './format.js';
import { pageAnchor } from './page-anchor.js';
import { html, type Html } from './html.js';
import { type Lookup } from './lookup.js';
import { renderOverlayMesh } from './render-overlay.js';
import { renderVifPolicy } from './render-vif-policy.js';

/** Rows per network before the table says how many more there are (the LED strip shows all). */
export const PORT_ROWS_SHOWN = 64;
/** LEDs per network on the front panel; past this the panel summarises. */
export const PANEL_LEDS_SHOWN = 512;

const STATE_ORDER: Record<PortState, number> = { down: 0, pending: 1, forwarding: 2 };

/**
 * The pool as one large switch (DESIGN §1): one segment per network, each with its tag, MTU and
 * uplink on every host, a front panel of port LEDs and a table of every port wherever it runs.
 */
export function renderSwitch(sw: SwitchView, hosts: HostView[] | null, lookup: Lookup): Html {
  if (sw.networks.length === 0) {
    return html`<p class="empty">No networks yet: create one on the pool master.</p>`;
  }
  // Uplinked networks first, as the physical switch's trunks would be, then the overlays that
  // span hosts, then host-local private ones; by name within each.
  const order = { external: 0, overlay: 1, private: 2 };
  const networks = [...sw.networks].sort(
    (a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name),
  );
  return html`<div class="switch">${networks.map((n) => renderSegment(n, hosts, lookup))}</div>`;
}

export function portTally(ports: SwitchPortView[]): Record<PortState, number> {
  const tally: Record<PortState, number> = { forwarding: 0, pending: 0, down: 0 };
  for (const port of ports) tally[port.state] += 1;
  return tally;
}

function renderSegment(network: SwitchNetworkView, hosts: HostView[] | null, lookup: Lookup): Html {
  const tally = portTally(network.ports);
  const ports = [...network.ports].sort(
    (a, b) =>
      STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
      a.vmName.localeCompare(b.vmName) ||
      a.mac.localeCompare(b.mac),
  );
  const shown = ports.slice(0, PORT_ROWS_SHOWN);
  const titleId = `net-${network.id}`;
  return html`<section class="segment" data-key="${network.id}" aria-labelledby="${titleId}">
    <header class="segment-head">
      <h3 id="${titleId}">${pageAnchor('network', network.id, network.name)}</h3>
      <span class="${`badge kind-${network.kind}`}">${network.kind}</span>
      ${
        network.kind === 'external'
          ? html`<span class="tag"
              >${network.vlan === null ? 'untagged' : `VLAN ${network.vlan}`}</span
            >`
          : network.kind === 'overlay'
            ? html`<span class="tag">VXLAN VNI ${network.vni ?? '?'}</span>`
            : html`<span class="tag">no uplink</span>`
      }
      <span class="tag">MTU ${network.mtu}</span>
      ${network.purpose && html`<span class="tag">${network.purpose}</span>`}
      ${
        // Only deny is worth a tag: allow is what every network does unless told otherwise.
        network.aclDefault === 'deny' &&
        html`<span class="tag acl-deny" title="IP traffic no ACL rule allows is dropped"
          >default deny</span
        >`
      }
      <span class="tally" aria-label="Port states">
        <span class="dot forwarding"></span>${tally.forwarding} forwarding
        ${tally.pending > 0 && html`<span class="dot pending"></span>${tally.pending} pending`}
        ${tally.down > 0 && html`<span class="dot down"></span>${tally.down} down`}
      </span>
    </header>
    ${
      network.kind === 'overlay'
        ? renderOverlayMesh(network, lookup)
        : renderUplinks(network, hosts, lookup)
    }
    ${renderPanel(ports, lookup)}
    ${
      ports.length === 0
        ? html`<p class="empty">No ports: no VIF is plugged into ${network.name}.</p>`
        : html`<table class="ports">
            <caption class="sr-only">
              Ports on ${network.name}
            </caption>
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">VM</th>
                <th scope="col">MAC</th>
                <th scope="col">IP</th>
                <th scope="col">Host</th>
                <th scope="col">QoS · port security</th>
              </tr>
            </thead>
            <tbody>
              ${shown.map((p) => renderPort(p, lookup))}
            </tbody>
          </table>`
    }
    ${
      ports.length > shown.length &&
      html`<p class="more">${count(ports.length - shown.length)} more ports not listed</p>`
    }
  </section>`;
}

function renderUplinks(network: SwitchNetworkView, hosts: HostView[] | null, lookup: Lookup): Html {
  if (network.kind === 'private') {
    return html`<p class="uplinks private">Private: VMs on it never reach a server NIC.</p>`;
  }
  const uplinked = new Set(network.uplinks.map((u) => u.hostId));
  // An enabled host without the uplink cannot run this network's VMs (XAPI agility).
  const missing = (hosts ?? []).filter((h) => h.enabled && !uplinked.has(h.id));
  const uplinks = [...network.uplinks].sort((a, b) =>
    lookup.host(a.hostId).localeCompare(lookup.host(b.hostId)),
  );
  return html`<ul class="uplinks" aria-label="Uplinks of ${network.name}">
    ${uplinks.map(
      (u) =>
        html`<li class="uplink">
          <span class="uplink-host">${lookup.host(u.hostId)}</span><b>${u.device}</b>
        </li>`,
    )}
    ${missing.map(
      (h) =>
        html`<li class="uplink missing" title="VMs on ${network.name} cannot run on ${h.name}">
          <span class="uplink-host">${h.name}</span><b>no uplink</b>
        </li>`,
    )}
    ${uplinks.length === 0 && missing.length === 0 && html`<li class="uplink">no host yet</li>`}
  </ul>`;
}

function renderPanel(ports: SwitchPortView[], lookup: Lookup): Html {
  if (ports.length === 0) return html``;
  const leds = ports.slice(0, PANEL_LEDS_SHOWN);
  return html`<ol class="panel" aria-hidden="true">
    ${leds.map(
      (p) =>
        html`<li
          class="${`led ${p.state}`}"
          title="${p.vmName} ${p.mac} on ${lookup.host(p.hostId)}: ${p.state}"
        ></li>`,
    )}
    ${ports.length > leds.length && html`<li class="led-more">+${ports.length - leds.length}</li>`}
  </ol>`;
}

function renderPort(port: SwitchPortView, lookup: Lookup): Html {
  return html`<tr data-key="${port.vifId}" class="${`port ${port.state}`}">
    <td><span class="${`pill ${port.state}`}">${port.state}</span></td>
    <td>${pageAnchor('vm', port.vmId, port.vmName)}</td>
    <td class="mono">${pageAnchor('port', port.vifId, port.mac)}</td>
    <td class="mono">${port.ips.length > 0 ? port.ips.join(', ') : '—'}</td>
    <td>
      ${port.hostId === null ? '—' : pageAnchor('host', port.hostId, lookup.host(port.hostId))}
    </td>
    <td>${renderVifPolicy(port)}</td>
  </tr>`;
}
