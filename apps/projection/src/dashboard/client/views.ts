import {
  type AclRow,
  type AdviceRow,
  type CounterRow,
  type HostRow,
  type MigrationRow,
  type MirrorRow,
  type PoolSummary,
  type PoolSwitch,
  type VmRow,
} from './api-types.js';
import { type DataKey, type ViewId, VIEW_INPUTS } from './data-keys.js';
import { agedHosts } from './convergence.js';
import { html, type Html } from './html.js';
import { buildLookup } from './lookup.js';
import { renderAdvice, renderCounters } from './render-counters.js';
import { renderHosts } from './render-hosts.js';
import { renderMigrations } from './render-migrations.js';
import { renderPolicy } from './render-policy.js';
import { renderSummary } from './render-summary.js';
import { renderSwitch } from './render-switch.js';
import { renderVms } from './render-vms.js';

/** What has been loaded for the selected pool; `null` until the first answer. */
export interface DashboardData {
  pool: PoolSummary | null;
  switch: PoolSwitch | null;
  hosts: HostRow[] | null;
  vms: VmRow[] | null;
  migrations: MigrationRow[] | null;
  acls: AclRow[] | null;
  mirrors: MirrorRow[] | null;
  counters: CounterRow[] | null;
  advice: AdviceRow[] | null;
  /** When `hosts` was read (ms), to age its lag between refetches. */
  hostsReadAt: number | null;
}

export const emptyData = (): DashboardData => ({
  pool: null,
  switch: null,
  hosts: null,
  vms: null,
  migrations: null,
  acls: null,
  mirrors: null,
  counters: null,
  advice: null,
  hostsReadAt: null,
});

/**
 * A view's markup from the data loaded so far; until its main data is in, a placeholder that
 * says whether it is still coming or failed (the card's status line says why).
 */
export function renderView(
  view: ViewId,
  data: DashboardData,
  now: number,
  failed: (key: DataKey) => boolean = () => false,
): Html {
  if (data.hosts) data = { ...data, hosts: agedHosts(data.hosts, data.hostsReadAt ?? now, now) };
  const lookup = buildLookup(data);
  const LOADING = ownKeys(view).some(failed)
    ? html`<p class="empty">Not available right now.</p>`
    : html`<p class="loading">Loading…</p>`;
  switch (view) {
    case 'summary':
      return renderSummary(data, now);
    case 'switch':
      return data.switch ? renderSwitch(data.switch, data.hosts, lookup) : LOADING;
    case 'hosts':
      return data.hosts ? renderHosts(data.hosts, data.pool?.version ?? null, now) : LOADING;
    case 'vms':
      return data.vms ? renderVms(data.vms, data.switch, lookup) : LOADING;
    case 'migrations':
      return data.migrations ? renderMigrations(data.migrations, lookup, now) : LOADING;
    case 'policy':
      return data.acls || data.mirrors ? renderPolicy(data.acls, data.mirrors, lookup) : LOADING;
    case 'counters':
      return data.counters ? renderCounters(data.counters, lookup) : LOADING;
    case 'advice':
      return data.advice ? renderAdvice(data.advice, lookup) : LOADING;
  }
}

/** The data keys whose failure a view reports (its own, not the ones it borrows names from). */
export function ownKeys(view: ViewId): readonly DataKey[] {
  switch (view) {
    case 'summary':
      return ['pool'];
    case 'policy':
      return ['acls', 'mirrors'];
    default:
      return VIEW_INPUTS[view].slice(0, 1);
  }
}
