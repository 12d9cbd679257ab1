import type { HostDetailView, HostInterfaceIpView, HostView } from '@pool/contracts';
import { html, type TemplateResult } from 'lit-html';
import { count, duration } from '../format.js';
import { pageLink } from './links.js';
import { facts, notFound, pageHead } from './page-parts.js';
import { type PageContext } from './render-object-pages.js';
import { renderRates } from './render-rates.js';

const speed = (mbps: number) =>
  mbps <= 0 ? '—' : mbps >= 1000 ? `${mbps / 1000} Gbit/s` : `${mbps} Mbit/s`;

const ip = (config: HostInterfaceIpView) =>
  config.mode === 'static'
    ? `${config.address}${config.gateway ? ` via ${config.gateway}` : ''}`
    : config.mode;

/**
 * A host: its convergence (applied version, lag, a held version and why), its NIC inventory
 * (PIFs with link, speed, MTU and role; bonds; the host's own interfaces), its VMs and traffic.
 */
export function renderHostPage(
  id: string,
  detail: HostDetailView | null | 'missing',
  context: PageContext,
): TemplateResult {
  if (detail === 'missing') return notFound(`No host "${id}" in this pool.`);
  if (detail === null) return html`<p class="loading">Loading…</p>`;
  const { data, lookup, rates } = context;
  // The list is aged by the page clock; the detail was read once: prefer the list's row.
  const host: HostView = data.hosts?.find((h) => h.id === id) ?? detail;
  const vms = (data.vms ?? []).filter((v) => v.hostId === id);
  const counters = (data.counters ?? []).filter((c) => c.hostId === id);
  return html`<section class="card page" data-page="host">
    ${pageHead('Host', host.name, `hosts/${host.id}`)}
    ${facts([
      ['address', html`<span class="mono">${host.address}</span>`],
      ['enabled', host.enabled ? 'yes' : 'no (disabled)'],
      ['management NIC', host.management ?? '—'],
      ['tunnel endpoint', host.tunnel ? `${host.tunnel.address} on ${host.tunnel.device}` : 'none'],
      [
        'applied version',
        host.appliedVersion === null ? 'never reported' : `v${count(host.appliedVersion)}`,
      ],
      ['convergence', convergence(host)],
      ['drift repaired', count(host.drift)],
      ['digest', html`<span class="mono digest">${host.digest ?? '—'}</span>`],
    ])}
    ${
      host.held
        ? html`<p class="held warn-text">
            Holding v${host.held.version}: v${host.held.refusedVersion} was rolled back by its
            network watchdog (${host.held.reason}).
          </p>`
        : null
    }
    <h3 class="subhead">Physical NICs</h3>
    <div class="scroll">
      <table class="pifs">
        <thead>
          <tr>
            <th scope="col">NIC</th>
            <th scope="col">Link</th>
            <th scope="col" class="num">Speed</th>
            <th scope="col" class="num">MTU</th>
            <th scope="col">Role</th>
            <th scope="col">Carries</th>
            <th scope="col">MAC</th>
          </tr>
        </thead>
        <tbody>
          ${detail.pifs.map(
            (pif) =>
              html`<tr data-key=${pif.device}>
                <th scope="row" class="mono">
                  ${pif.device}${pif.bondId ? html` <span class="sub">in ${pif.bondId}</span>` : null}
                </th>
                <td>
                  <span class="pill ${pif.carrier ? 'ok' : 'bad'}"
                    >${pif.carrier ? 'up' : 'down'}</span
                  >
                </td>
                <td class="num">${speed(pif.speedMbps)}</td>
                <td class="num">${pif.mtu}</td>
                <td>${pif.role}</td>
                <td>${pif.roles.map((r) => html`<span class="tag">${r}</span> `)}</td>
                <td class="mono">${pif.mac}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <h3 class="subhead">Bonds</h3>
    ${
      detail.bonds.length === 0
        ? html`<p class="empty">No bond.</p>`
        : html`<ul class="bonds">
            ${detail.bonds.map(
              (b) =>
                html`<li><b class="mono">${b.device}</b> ${b.mode}: ${b.members.join(', ')}</li>`,
            )}
          </ul>`
    }
    <h3 class="subhead">Host interfaces</h3>
    ${
      detail.interfaces.length === 0
        ? html`<p class="empty">None configured.</p>`
        : html`<div class="scroll">
            <table class="host-interfaces">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">On</th>
                  <th scope="col">IPv4</th>
                  <th scope="col">IPv6</th>
                </tr>
              </thead>
              <tbody>
                ${detail.interfaces.map(
                  (i) =>
                    html`<tr>
                      <th scope="row" class="mono">${i.name}</th>
                      <td>${i.purpose}</td>
                      <td class="mono">
                        ${i.device}${i.vlan !== null ? ` VLAN ${i.vlan}` : ''} (${i.placement})
                      </td>
                      <td class="mono">${ip(i.ipv4)}</td>
                      <td class="mono">${ip(i.ipv6)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
    <h3 class="subhead">VMs here (${vms.length})</h3>
    <p class="vm-list">
      ${vms.length === 0 ? 'None.' : vms.map((v) => html`${pageLink('vm', v.id, v.name)} `)}
    </p>
    <h3 class="subhead">Traffic</h3>
    <div class="scroll">${renderRates(counters, rates, lookup, { hostColumn: false })}</div>
  </section>`;
}

function convergence(host: HostView): TemplateResult {
  if (host.lagEvents === null) return html`<span class="pill idle">unknown</span>`;
  if (host.lagEvents === 0) return html`<span class="pill ok">in sync</span>`;
  const age = host.lagSeconds === null ? '' : `, oldest ${duration(host.lagSeconds)}`;
  return html`<span class="pill warn">behind ${count(host.lagEvents)}</span>
    <span class="sub">${count(host.lagEvents)} events${age}</span>`;
}
