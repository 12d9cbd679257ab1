import type {
  AclRuleView,
  AddressSetView,
  AdviceView,
  CounterView,
  HostView,
  MigrationView,
  MirrorView,
  PoolView,
  SecurityGroupView,
  SwitchView,
  VmView,
} from '@pool/contracts';
import { type DataKey, type ViewId, VIEW_INPUTS } from './data-keys.js';
import { agedHosts } from './convergence.js';
import { html, type Html } from './html.js';
import { buildLookup } from './lookup.js';
import { renderHosts } from './render-hosts.js';
import { renderMigrations } from './render-migrations.js';
import { renderPolicy } from './render-policy.js';
import { renderSummary } from './render-summary.js';
import { renderSwitch } from './render-switch.js';
import { renderVms } from './render-vms.js';

/** What has been loaded for the selected pool; `null` until the first answer. */
export interface DashboardData {
  pool: PoolView | null;
  switch: SwitchView | null;
  hosts: HostView[] | null;
  vms: VmView[] | null;
  migrations: MigrationView[] | null;
  acls: AclRuleView[] | null;
  securityGroups: SecurityGroupView[] | null;
  addressSets: AddressSetView[] | null;
  mirrors: MirrorView[] | null;
  counters: CounterView[] | null;
  advice: AdviceView[] | null;
  /** When `hosts` was read (ms), to age its lag between refetches. */
  hostsReadAt: number | null;
  /**
   * Since when (ms) the event stream is lost, null while it is live. Nothing refetches the data
   * meanwhile: hosts are shown as last seen, not judged against a clock that kept running.
   */
  staleSince: number | null;
}

export const emptyData = (): DashboardData => ({
  pool: null,
  switch: null,
  hosts: null,
  vms: null,
  migrations: null,
  acls: null,
  securityGroups: null,
  addressSets: null,
  mirrors: null,
  counters: null,
  advice: null,
  hostsReadAt: null,
  staleSince: null,
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
  // A host's report age and lag are judged at the last moment the page knew the pool.
  const judgedAt = Math.min(now, data.staleSince ?? now);
  if (data.hosts) {
    data = { ...data, hosts: agedHosts(data.hosts, data.hostsReadAt ?? judgedAt, judgedAt) };
  }
  const lookup = buildLookup(data);
  const LOADING = ownKeys(view).some(failed)
    ? html`<p class="empty">Not available right now.</p>`
    : html`<p class="loading">Loading…</p>`;
  switch (view) {
    case 'summary':
      return renderSummary(data, judgedAt, data.staleSince);
    case 'switch':
      return data.switch ? renderSwitch(data.switch, data.hosts, lookup) : LOADING;
    case 'hosts':
      return data.hosts
        ? renderHosts(data.hosts, data.pool?.version ?? null, judgedAt, data.staleSince)
        : LOADING;
    case 'vms':
      return data.vms ? renderVms(data.vms, data.switch, lookup) : LOADING;
    case 'migrations':
      return data.migrations ? renderMigrations(data.migrations, lookup, now) : LOADING;
    case 'policy':
      return data.acls || data.mirrors ? renderPolicy(data, lookup) : LOADING;
    case 'fabric':
      // The picture of hosts × networks is drawn with lit-html by main.ts (render-fabric.ts).
      return LOADING;
    case 'counters':
      // Rates per second with trend lines: drawn with lit-html by main.ts (render-rates.ts)
      // from the samples it keeps; here only the placeholder until the counters are in.
      return LOADING;
    case 'advice':
      // Drawn with lit-html by main.ts (render-advice.ts).
      return LOADING;
  }
}

/** The data keys whose failure a view reports (its own, not the ones it borrows names from). */
export function ownKeys(view: ViewId): readonly DataKey[] {
  switch (view) {
    case 'summary':
      return ['pool'];
    case 'policy':
      return ['acls', 'securityGroups', 'addressSets', 'mirrors'];
    default:
      return VIEW_INPUTS[view].slice(0, 1);
  }
}
