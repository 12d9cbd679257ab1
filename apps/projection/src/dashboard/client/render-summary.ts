import type {
  HostView,
  MigrationView,
  PoolSummaryView,
  PoolView,
  SwitchView,
  VmView,
} from '@pool/contracts';
import { hostHealth, type Severity } from './convergence.js';
import { clock, count } from './format.js';
import { html, type Html } from './html.js';
import { isActive } from './render-migrations.js';
import { portTally } from './render-switch.js';

export interface SummaryInput {
  pool: PoolView | null;
  hosts: HostView[] | null;
  switch: SwitchView | null;
  vms: VmView[] | null;
  migrations: MigrationView[] | null;
}

interface Tile {
  label: string;
  value: string;
  detail: string;
  severity: Severity | 'info' | 'stale';
}

/** The numbers read from across the room: convergence, ports, VMs, migrations, log head. */
export function renderSummary(
  input: SummaryInput,
  now: number,
  staleSince: number | null = null,
): Html {
  return html`<ul class="tiles">
    ${tiles(input, now, staleSince).map(
      (t) =>
        html`<li class="${`tile ${t.severity}`}">
          <span class="tile-label">${t.label}</span>
          <span class="tile-value">${t.value}</span>
          <span class="tile-detail">${t.detail}</span>
        </li>`,
    )}
  </ul>`;
}

/**
 * With `staleSince` the page has lost its event stream: the hosts tile says so instead of
 * counting hosts in sync, which would blame the hosts for the page's own outage.
 */
export function tiles(input: SummaryInput, now: number, staleSince: number | null = null): Tile[] {
  const out: Tile[] = [];
  if (input.hosts && staleSince !== null) {
    out.push({
      label: 'Hosts in sync',
      value: 'stale',
      detail: `no live data since ${clock(staleSince)}`,
      severity: 'stale',
    });
  } else if (input.hosts) {
    const healths = input.hosts.map((h) => hostHealth(h, now));
    const bad = healths.filter((h) => h.severity === 'bad').length;
    const warn = healths.filter((h) => h.severity === 'warn').length;
    const ok = healths.length - bad - warn;
    out.push({
      label: 'Hosts in sync',
      value: `${count(ok)}/${count(healths.length)}`,
      detail: bad > 0 ? `${bad} behind or silent` : warn > 0 ? `${warn} applying` : 'all converged',
      severity: bad > 0 ? 'bad' : warn > 0 ? 'warn' : 'ok',
    });
  }
  if (input.switch) {
    const tally = portTally(input.switch.networks.flatMap((n) => n.ports));
    const total = tally.forwarding + tally.pending + tally.down;
    out.push({
      label: 'Ports forwarding',
      value: `${count(tally.forwarding)}/${count(total)}`,
      detail: `${tally.pending} pending · ${tally.down} down`,
      severity: tally.pending > 0 ? 'warn' : 'ok',
    });
    out.push({
      label: 'Networks',
      value: count(input.switch.networks.length),
      detail: `${input.switch.networks.filter((n) => n.kind === 'external').length} external`,
      severity: 'info',
    });
  }
  if (input.vms) {
    const running = input.vms.filter((v) => v.powerState === 'running').length;
    out.push({
      label: 'VMs running',
      value: `${count(running)}/${count(input.vms.length)}`,
      detail: `${input.vms.length - running} halted`,
      severity: 'info',
    });
  }
  const active = input.migrations?.filter(isActive).length ?? input.pool?.migrationsActive;
  if (active !== undefined) {
    out.push({
      label: 'Migrations',
      value: count(active),
      detail: active > 0 ? 'in progress' : 'none in progress',
      severity: active > 0 ? 'warn' : 'info',
    });
  }
  if (input.pool) {
    out.push({
      label: 'Log head',
      value: `v${count(input.pool.version)}`,
      detail: `${count(input.pool.vifs)} VIFs`,
      severity: 'info',
    });
  }
  return out;
}

/** The pool picker's options, the selected one marked. */
export function renderPoolOptions(pools: PoolSummaryView[], selected: string | null): Html {
  if (pools.length === 0) return html`<option value="">no pool yet</option>`;
  return html`${[...pools]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(
      (p) =>
        html`<option value="${p.id}" ${p.id === selected && html`selected`}>
          ${p.name} (${p.hosts} hosts, ${p.vms} VMs)
        </option>`,
    )}`;
}
