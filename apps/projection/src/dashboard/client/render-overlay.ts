import type { OverlayHostView, SwitchNetworkView } from '@pool/contracts';
import { html, type Html } from './html.js';
import { type Lookup } from './lookup.js';

/** Hosts drawn around the mesh; past this the drawing summarises and the table lists all. */
export const MESH_HOSTS_DRAWN = 16;

/** One tunnel as both its ends see it. */
export type TunnelState = 'up' | 'down' | 'converging' | 'unknown';

const HOST_STATE_TEXT: Record<OverlayHostView['state'], string> = {
  up: 'all tunnels up',
  partial: 'tunnels missing',
  down: 'no tunnel up',
  unreachable: 'peers not answering',
  converging: 'converging',
  unreported: 'no report',
};

const HOST_STATE_PILL: Record<OverlayHostView['state'], string> = {
  up: 'ok',
  partial: 'warn',
  down: 'bad',
  unreachable: 'bad',
  converging: 'warn',
  unreported: 'idle',
};

/**
 * The tunnel between two hosts of a mesh: down when either end says it lacks it or its BFD
 * session is not up, unknown while either has not reported, converging while either's report
 * predates the mesh the log wants.
 */
export function tunnelState(a: OverlayHostView, b: OverlayHostView): TunnelState {
  const lacks = (x: OverlayHostView, y: OverlayHostView) =>
    x.missing.includes(y.hostId) || x.unreachable.includes(y.hostId);
  if (lacks(a, b) || lacks(b, a)) return 'down';
  if (a.state === 'unreported' || b.state === 'unreported') return 'unknown';
  if (a.state === 'converging' || b.state === 'converging') return 'converging';
  return 'up';
}

/**
 * An overlay network across hosts: its hosts round a circle, a line for every tunnel between
 * two of them coloured by its state (no centre: a full mesh), and a row per host with its
 * endpoint, its VMs on the network and its tunnels as its last report says.
 */
export function renderOverlayMesh(network: SwitchNetworkView, lookup: Lookup): Html {
  const hosts = network.tunnels;
  if (hosts.length === 0) {
    return html`<p class="uplinks private">
      Overlay: no host carries it yet (a VM on it starts its hosts' tunnels).
    </p>`;
  }
  const vmsOn = (hostId: string) => network.ports.filter((p) => p.hostId === hostId).length;
  return html`<div class="mesh" aria-label="Tunnels of ${network.name}">
    ${renderDrawing(network, hosts, lookup)}
    <table class="ports mesh-hosts">
      <caption class="sr-only">
        Hosts and tunnels of ${network.name}
      </caption>
      <thead>
        <tr>
          <th scope="col">Host</th>
          <th scope="col">Endpoint</th>
          <th scope="col">VMs</th>
          <th scope="col">Tunnels up / wanted</th>
          <th scope="col">State</th>
        </tr>
      </thead>
      <tbody>
        ${hosts.map(
          (h) =>
            html`<tr data-key="${h.hostId}" class="${`mesh-host ${h.state}`}">
              <td>${lookup.host(h.hostId)}</td>
              <td class="mono">${h.endpoint ?? '—'}</td>
              <td>${vmsOn(h.hostId)}</td>
              <td class="mono">${h.applied ?? '?'} / ${h.wanted}</td>
              <td>
                <span class="${`pill ${HOST_STATE_PILL[h.state]}`}"
                  >${HOST_STATE_TEXT[h.state]}</span
                >
                ${
                  h.missing.length > 0 &&
                  html`<span class="missing">
                    to ${h.missing.map((id) => lookup.host(id)).join(', ')}</span
                  >`
                }
                ${
                  h.unreachable.length > 0 &&
                  html`<span class="missing">
                    no answer from ${h.unreachable.map((id) => lookup.host(id)).join(', ')}</span
                  >`
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function renderDrawing(network: SwitchNetworkView, hosts: OverlayHostView[], lookup: Lookup): Html {
  const drawn = hosts.slice(0, MESH_HOSTS_DRAWN);
  const size = 260;
  const centre = size / 2;
  const radius = drawn.length === 1 ? 0 : size / 2 - 46;
  const at = drawn.map((h, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / drawn.length;
    const round = (v: number) => Math.round(v * 10) / 10;
    return {
      host: h,
      x: round(centre + radius * Math.cos(angle)),
      y: round(centre + radius * Math.sin(angle)),
    };
  });
  const links = at.flatMap((a, i) =>
    at.slice(i + 1).map((b) => ({ a, b, state: tunnelState(a.host, b.host) })),
  );
  const tally = { up: 0, down: 0, converging: 0, unknown: 0 };
  for (const link of links) tally[link.state] += 1;
  return html`<figure class="mesh-drawing">
    <svg
      viewBox="0 0 ${size} ${size}"
      role="img"
      aria-label="${`${network.name}: ${links.length} tunnels among ${drawn.length} hosts, ${tally.up} up`}"
    >
      ${links.map(
        ({ a, b, state }) =>
          html`<line class="${`tunnel ${state}`}" x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}">
            <title>${lookup.host(a.host.hostId)} ↔ ${lookup.host(b.host.hostId)}: ${state}</title>
          </line>`,
      )}
      ${at.map(
        ({ host, x, y }) =>
          html`<g class="${`mesh-node ${host.state}`}">
            <circle cx="${x}" cy="${y}" r="18"></circle>
            <text x="${x}" y="${y + 4}" text-anchor="middle">${lookup.host(host.hostId)}</text>
          </g>`,
      )}
    </svg>
    <figcaption>
      VXLAN full mesh, no centre: ${links.length} tunnels, ${tally.up} up
      ${tally.down > 0 && html`· <span class="bad-text">${tally.down} down</span>`}
      ${tally.converging > 0 && html`· ${tally.converging} converging`}
      ${tally.unknown > 0 && html`· ${tally.unknown} not reported`}
      ${
        hosts.length > drawn.length &&
        html`· ${hosts.length - drawn.length} more hosts in the table`
      }
    </figcaption>
  </figure>`;
}
