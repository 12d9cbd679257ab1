import type { HostView } from '@pool/contracts';
import { headVersion, hostHealth, type Severity } from './convergence.js';
import { age, clock, count, duration } from './format.js';
import { pageAnchor } from './page-anchor.js';
import { html, type Html } from './html.js';

const SEVERITY_ORDER: Record<Severity, number> = { bad: 0, warn: 1, ok: 2 };

/**
 * Host convergence: applied version against the head of the log, lag in events and seconds,
 * last report age and drift. Hosts in trouble sort first and their rows are red. With
 * `staleSince` (the page lost its event stream) no host is judged: each says `stale`, its last
 * known state in the title, since a silent stream is not a silent host.
 */
export function renderHosts(
  hosts: HostView[],
  poolVersion: number | null,
  now: number,
  staleSince: number | null = null,
): Html {
  if (hosts.length === 0) {
    return html`<p class="empty">No host has joined this pool yet.</p>`;
  }
  const rows = hosts
    .map((host) => ({ host, health: hostHealth(host, now) }))
    .sort(
      (a, b) =>
        SEVERITY_ORDER[a.health.severity] - SEVERITY_ORDER[b.health.severity] ||
        a.host.name.localeCompare(b.host.name),
    );
  return html`${
      staleSince !== null &&
      html`<p class="stale-note" role="note">
        Data stale: no live update since ${clock(staleSince)}. Hosts are shown as last seen, not
        judged, until the event stream is back.
      </p>`
    }
    <table class="hosts">
      <caption class="sr-only">
        Host convergence
      </caption>
      <thead>
        <tr>
          <th scope="col">Host</th>
          <th scope="col">Status</th>
          <th scope="col" class="num">Applied / head</th>
          <th scope="col" class="num">Lag</th>
          <th scope="col">Last report</th>
          <th scope="col" class="num">Drift</th>
          <th scope="col" class="num">VMs</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(({ host, health }) => {
          const head = headVersion(host, poolVersion);
          const severity = staleSince === null ? health.severity : 'stale';
          return html`<tr data-key="${host.id}" class="${`host ${severity}`}">
            <th scope="row">
              <span class="host-name">${pageAnchor('host', host.id, host.name)}</span>
              ${!host.enabled && html`<span class="badge disabled">disabled</span>`}
              <span class="sub" title="the address the host joined with"
                ><span class="sub-label">address</span>
                <span class="mono">${host.address}</span></span
              >
              ${
                host.management !== null &&
                html`<span class="sub" title="the NIC that carries the host's management traffic"
                  ><span class="sub-label">mgmt NIC</span>
                  <span class="mono">${host.management}</span></span
                >`
              }
              ${
                host.held &&
                html`<span
                  class="sub warn-text"
                  title="${`rolled back at ${host.held.since}: ${host.held.reason}`}"
                  ><span class="sub-label">held</span>
                  <span class="mono"
                    >at v${host.held.version}, rolled back v${host.held.refusedVersion}</span
                  ></span
                >`
              }
            </th>
            <td>
              ${
                staleSince === null
                  ? html`<span class="${`pill ${health.severity}`}" title="${health.detail}"
                      >${health.label}</span
                    >`
                  : html`<span
                      class="pill stale"
                      title="${`last seen ${clock(staleSince)}: ${health.label} (${health.detail})`}"
                      >stale</span
                    >`
              }
            </td>
            <td class="num mono">
              ${host.appliedVersion === null ? '—' : count(host.appliedVersion)} /
              ${head === null ? '—' : count(head)}
            </td>
            <td class="num lag">
              ${
                host.lagEvents === null
                  ? '—'
                  : host.lagEvents === 0
                    ? '0'
                    : html`${count(host.lagEvents)} ev
                        <span class="sub"
                          >${host.lagSeconds === null ? '' : duration(host.lagSeconds)}</span
                        >`
              }
            </td>
            <td>
              <time datetime="${host.lastReportAt ?? ''}" data-since="${host.lastReportAt ?? ''}"
                >${age(host.lastReportAt, now)}</time
              >
            </td>
            <td class="${host.drift > 0 ? 'num warn-text' : 'num'}">${count(host.drift)}</td>
            <td class="num">${count(host.runningVms)}</td>
          </tr>`;
        })}
      </tbody>
    </table>`;
}
