import type { SwitchNetworkView, SwitchPortView, VmVifView } from '@pool/contracts';
import { html, type TemplateResult } from 'lit-html';
import { qosText } from '../render-vif-policy.js';
import { type DashboardData } from '../views.js';
import { type Lookup } from '../lookup.js';
import { type CounterRates } from './counter-rates.js';
import { pageLink } from './links.js';
import { aclTable, facts, notFound, pageHead, rulesForVif } from './page-parts.js';
import { renderRates } from './render-rates.js';

export interface PageContext {
  data: DashboardData;
  lookup: Lookup;
  rates: CounterRates;
}

const portsOf = (data: DashboardData): SwitchPortView[] =>
  (data.switch?.networks ?? []).flatMap((n) => n.ports);

const stateCell = (state: string | undefined) =>
  state ? html`<span class="pill ${state}">${state}</span>` : html`<span class="sub">—</span>`;

/** A VM: where it runs, its VIFs with addresses, networks and ports. */
export function renderVmPage(id: string, { data, lookup }: PageContext): TemplateResult {
  if (!data.vms) return html`<p class="loading">Loading…</p>`;
  const vm = data.vms.find((v) => v.id === id);
  if (!vm) return notFound(`No VM "${id}" in this pool.`);
  const states = new Map(portsOf(data).map((p) => [p.vifId, p.state]));
  return html`<section class="card page" data-page="vm">
    ${pageHead('VM', vm.name, `vms/${vm.id}`)}
    ${facts([
      ['id', html`<span class="mono">${vm.id}</span>`],
      ['power', html`<span class="pill ${vm.powerState}">${vm.powerState}</span>`],
      ['host', vm.hostId ? pageLink('host', vm.hostId, lookup.host(vm.hostId)) : 'none (halted)'],
      [
        'migration',
        vm.migration
          ? `${vm.migration.status} → ${lookup.host(vm.migration.toHostId)}`
          : 'none under way',
      ],
    ])}
    <h3 class="subhead">Virtual NICs</h3>
    <div class="scroll">
      <table class="page-vifs">
        <thead>
          <tr>
            <th scope="col">Port</th>
            <th scope="col">MAC</th>
            <th scope="col">Addresses</th>
            <th scope="col">Network</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          ${vm.vifs.map(
            (vif) =>
              html`<tr data-key=${vif.id}>
                <th scope="row">${pageLink('port', vif.id, `eth${vif.device}`)}</th>
                <td class="mono">${vif.mac}</td>
                <td class="mono">${vif.ips.join(', ') || '—'}</td>
                <td>${pageLink('network', vif.networkId, lookup.network(vif.networkId))}</td>
                <td>${stateCell(states.get(vif.id))}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

/** A network: its kind, uplinks, every port on it and the rules scoped to it. */
export function renderNetworkPage(id: string, { data, lookup }: PageContext): TemplateResult {
  if (!data.switch) return html`<p class="loading">Loading…</p>`;
  const network = data.switch.networks.find((n) => n.id === id);
  if (!network) return notFound(`No network "${id}" in this pool.`);
  const rules = (data.acls ?? []).filter(
    (r) => r.scope.kind === 'network' && r.scope.networkId === id,
  );
  return html`<section class="card page" data-page="network">
    ${pageHead('Network', network.name, `networks/${network.id}`)} ${facts(networkFacts(network))}
    <h3 class="subhead">Uplinks</h3>
    ${
      network.uplinks.length === 0
        ? html`<p class="empty">
            None: ${network.kind === 'overlay' ? 'carried in VXLAN tunnels' : 'host-local'}.
          </p>`
        : html`<ul class="uplinks">
            ${network.uplinks.map(
              (u) =>
                html`<li class="uplink">
                  ${pageLink('host', u.hostId, lookup.host(u.hostId))} <b>${u.device}</b>
                </li>`,
            )}
          </ul>`
    }
    <h3 class="subhead">Ports (${network.ports.length})</h3>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Port</th>
            <th scope="col">MAC</th>
            <th scope="col">Addresses</th>
            <th scope="col">Host</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          ${network.ports.map(
            (p) =>
              html`<tr data-key=${p.vifId}>
                <th scope="row">
                  ${pageLink('port', p.vifId, lookup.vif(p.vifId))}
                  <span class="sub">${pageLink('vm', p.vmId, p.vmName)}</span>
                </th>
                <td class="mono">${p.mac}</td>
                <td class="mono">${p.ips.join(', ') || '—'}</td>
                <td>${p.hostId ? pageLink('host', p.hostId, lookup.host(p.hostId)) : '—'}</td>
                <td>${stateCell(p.state)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <h3 class="subhead">ACL rules on the network</h3>
    <div class="scroll">${aclTable(rules, lookup)}</div>
  </section>`;
}

function networkFacts(network: SwitchNetworkView): [string, unknown][] {
  return [
    ['kind', html`<span class="badge kind-${network.kind}">${network.kind}</span>`],
    ['purpose', network.purpose],
    ['VLAN', network.vlan ?? 'untagged'],
    ...(network.vni !== null ? [['VNI', network.vni] as [string, unknown]] : []),
    ['MTU', network.mtu],
    ['bridge', html`<span class="mono">${network.bridge}</span>`],
    ['default', html`<span class="pill ${network.aclDefault}">${network.aclDefault}</span>`],
  ];
}

/** A port (a VIF): its QoS, port security, the ACL rules reaching it with hits, its traffic. */
export function renderPortPage(id: string, { data, lookup, rates }: PageContext): TemplateResult {
  if (!data.vms || !data.switch) return html`<p class="loading">Loading…</p>`;
  const vm = data.vms.find((v) => v.vifs.some((f) => f.id === id));
  const vif: VmVifView | undefined = vm?.vifs.find((f) => f.id === id);
  if (!vm || !vif) return notFound(`No port "${id}" in this pool.`);
  const port = portsOf(data).find((p) => p.vifId === id);
  const rules = rulesForVif(data.acls ?? [], data.securityGroups ?? [], id, vif.networkId);
  const counters = (data.counters ?? []).filter((c) => c.vifId === id);
  return html`<section class="card page" data-page="port">
    ${pageHead('Port', lookup.vif(id), `vifs/${id}`)}
    ${facts([
      ['VM', pageLink('vm', vm.id, vm.name)],
      ['MAC', html`<span class="mono">${vif.mac}</span>`],
      ['addresses', html`<span class="mono">${vif.ips.join(', ') || 'none'}</span>`],
      ['network', pageLink('network', vif.networkId, lookup.network(vif.networkId))],
      ['host', port?.hostId ? pageLink('host', port.hostId, lookup.host(port.hostId)) : '—'],
      ['state', stateCell(port?.state)],
      ['switch port', html`<span class="mono">${vif.port} on ${vif.bridge}</span>`],
    ])}
    <h3 class="subhead">Policy</h3>
    ${facts([
      [
        'QoS',
        html`<span class="qos">${vif.qos ? qosText(vif.qos) : 'none (no rate limit)'}</span>`,
      ],
      [
        'port security',
        html`<span class="port-security"
          >${vif.portSecurity ? "on: only the VIF's own MAC and addresses send" : 'off'}</span
        >`,
      ],
    ])}
    <h3 class="subhead">ACL rules reaching it, with their hits</h3>
    <div class="scroll">${aclTable(rules, lookup)}</div>
    <h3 class="subhead">Traffic</h3>
    <div class="scroll">${renderRates(counters, rates, lookup)}</div>
  </section>`;
}
