import type { VifSwitchPortsView } from '@pool/contracts';
import { html, type Html } from './html.js';
import { type Lookup } from './lookup.js';

const NOT_PLUGGED =
  "The host applied the VIF's settings, but the VM's NIC device is not plugged there yet: " +
  'the port forwards as soon as the hypervisor creates it';

/**
 * Where a VIF's traffic goes: its port on its network's bridge (the device the hypervisor
 * creates under that name), and each host the log puts the port on, a pending one marked (two
 * hosts during a migration). Shown before the device exists: the names depend on ids alone.
 */
export function renderVifPorts(vif: VifSwitchPortsView, lookup: Lookup): Html {
  const title =
    `Open vSwitch port ${vif.port} on bridge ${vif.bridge}: ` +
    'the hypervisor creates the VIF device under the port name';
  return html`<span class="ports" title="${title}">
    <span class="mono port">${vif.port}</span>
    <span class="sub">on</span>
    <span class="mono bridge">${vif.bridge}</span>
    ${vif.ports.map(
      (p) =>
        html`<span
          class="${`tag port-host ${p.role}${p.plugged === false ? ' not-plugged' : ''}`}"
          title="${p.plugged === false ? NOT_PLUGGED : ''}"
          >${lookup.host(p.hostId)}${p.device ? ` as ${p.device}` : ''}${
            p.role === 'pending' ? ' (pending)' : ''
          }${p.plugged === false ? ' (not plugged)' : ''}</span
        >`,
    )}
  </span>`;
}
