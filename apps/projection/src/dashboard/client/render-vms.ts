import type { PortState, SwitchView, VmView } from '@pool/contracts';
import { pageAnchor } from './page-anchor.js';
import { html, type Html } from './html.js';
import { type Lookup } from './lookup.js';
import { renderVifPolicy } from './render-vif-policy.js';
import { renderVifPorts } from './render-vif-ports.js';

/** VMs and where they run, with each VIF's addresses and port state, and any migration. */
export function renderVms(vms: VmView[], sw: SwitchView | null, lookup: Lookup): Html {
  if (vms.length === 0) return html`<p class="empty">No VMs in this pool yet.</p>`;
  const portStates = new Map<string, PortState>();
  for (const network of sw?.networks ?? []) {
    for (const port of network.ports) portStates.set(port.vifId, port.state);
  }
  const sorted = [...vms].sort(
    (a, b) =>
      Number(b.powerState === 'running') - Number(a.powerState === 'running') ||
      lookup.host(a.hostId).localeCompare(lookup.host(b.hostId)) ||
      a.name.localeCompare(b.name),
  );
  return html`<table class="vms">
    <caption class="sr-only">
      VMs
    </caption>
    <thead>
      <tr>
        <th scope="col">VM</th>
        <th scope="col">Power</th>
        <th scope="col">Host</th>
        <th scope="col">
          VIFs (network, MAC, IP, port state, QoS, port security, switch port and hosts)
        </th>
      </tr>
    </thead>
    <tbody>
      ${sorted.map(
        (vm) =>
          html`<tr data-key="${vm.id}" class="vm">
            <th scope="row">${pageAnchor('vm', vm.id, vm.name)}</th>
            <td><span class="${`pill ${vm.powerState}`}">${vm.powerState}</span></td>
            <td>
              ${lookup.host(vm.hostId)}
              ${
                vm.migration &&
                html`<span class="migrating" title="migration ${vm.migration.id}"
                  >→ ${lookup.host(vm.migration.toHostId)} (${vm.migration.status})</span
                >`
              }
            </td>
            <td>
              ${
                vm.vifs.length === 0
                  ? html`<span class="sub">no VIF</span>`
                  : html`<ul class="vifs">
                      ${[...vm.vifs]
                        .sort((a, b) => a.device - b.device)
                        .map((vif) => {
                          const state = portStates.get(vif.id);
                          return html`<li>
                            <span class="sub">eth${vif.device}</span>
                            <span>${lookup.network(vif.networkId)}</span>
                            <span class="mono">${vif.mac}</span>
                            <span class="mono">${vif.ips.join(', ')}</span>
                            ${state && html`<span class="${`dot ${state}`}" title="${state}"></span>`}
                            ${renderVifPolicy(vif)} ${renderVifPorts(vif, lookup)}
                          </li>`;
                        })}
                    </ul>`
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
