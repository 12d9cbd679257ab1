import type {
  AddressView,
  HistoryEntryView,
  HistoryEventView,
  HostDetailView,
  Page,
} from '@pool/contracts';
import { html, render, type TemplateResult } from 'lit-html';
import { ApiError, getJson, type Fetch } from '../api-client.js';
import { type DomElement } from '../browser.js';
import { buildLookup } from '../lookup.js';
import { type DashboardData } from '../views.js';
import { type CounterRates } from './counter-rates.js';
import {
  emptyHistory,
  historyQuery,
  readNewest,
  withNewest,
  withOlder,
  type HistoryPage,
} from './history-pages.js';
import { renderEvent, renderHistory } from './render-history.js';
import { renderHostPage } from './render-host-page.js';
import { renderNetworkPage, renderPortPage, renderVmPage } from './render-object-pages.js';
import { renderSearch } from './render-search.js';
import { type Route } from './route.js';
import { addressHits, addressQuery, nameHits, uniqueHits, type SearchHit } from './search.js';

export interface ConsoleDeps {
  /** Where the console's pages go; the overview is hidden while one shows. */
  container: DomElement;
  overview: DomElement;
  fetch: Fetch;
  pool(): string | null;
  data(): DashboardData;
  rates: CounterRates;
}

/** Events per page of the history view; older pages load on demand. */
const HISTORY_PAGE = 50;

/**
 * The console's pages beside the overview (issue 22): history, an event's diff, a VM, host,
 * network or port, and search. Each page draws from the data the overview already keeps live
 * and fetches only what it alone needs (a host's NIC inventory, the log, an event's diff,
 * the address registry); `refresh()` after a stream event keeps the page live too.
 */
export class ConsoleView {
  private route: Route = { page: 'overview' };
  /** Bumped on every navigation: an answer for a page left behind is dropped. */
  private generation = 0;
  private hostDetail: HostDetailView | null | 'missing' = null;
  private history: HistoryPage = emptyHistory();
  private event: { view: HistoryEventView | null; error: string | null } = {
    view: null,
    error: null,
  };
  private search: { hits: SearchHit[] | null; error: string | null } = { hits: null, error: null };

  constructor(private readonly deps: ConsoleDeps) {}

  get current(): Route {
    return this.route;
  }

  show(route: Route): void {
    this.route = route;
    this.generation += 1;
    this.hostDetail = null;
    this.history = emptyHistory(route.page === 'history' ? route.filter : {});
    this.event = { view: null, error: null };
    this.search = { hits: null, error: null };
    const onPage = route.page !== 'overview';
    this.deps.overview.hidden = onPage;
    this.deps.container.hidden = !onPage;
    this.render();
    void this.load(this.generation);
  }

  /** The pool moved (an event, a host report): refetch what the page fetched itself. */
  refresh(): void {
    if (this.route.page === 'history' || this.route.page === 'host') {
      void this.load(this.generation);
    }
    this.render();
  }

  render(): void {
    if (this.route.page === 'overview') return;
    render(this.page(), this.deps.container);
  }

  private page(): TemplateResult {
    const data = this.deps.data();
    const lookup = buildLookup(data);
    const context = { data, lookup, rates: this.deps.rates };
    const route = this.route;
    switch (route.page) {
      case 'overview':
        return html``;
      case 'history':
        return renderHistory(this.history, lookup, () => void this.loadOlder(this.generation));
      case 'event':
        return renderEvent(route.version, this.event.view, this.event.error, lookup);
      case 'search':
        return renderSearch(route.query, this.search.hits, this.search.error);
      case 'vm':
        return renderVmPage(route.id, context);
      case 'network':
        return renderNetworkPage(route.id, context);
      case 'port':
        return renderPortPage(route.id, context);
      case 'host':
        return renderHostPage(route.id, this.hostDetail, context);
    }
  }

  /** The next older page of the log, below what is shown (the filter's, from its cursor). */
  private async loadOlder(generation: number): Promise<void> {
    const pool = this.deps.pool();
    const cursor = this.history.cursor;
    if (pool === null || cursor === null || this.history.loadingOlder) return;
    this.history = { ...this.history, loadingOlder: true };
    this.render();
    const query = historyQuery(this.history.filter, HISTORY_PAGE, cursor);
    try {
      const page = await getJson<Page<HistoryEntryView>>(
        this.deps.fetch,
        `/api/pools/${encodeURIComponent(pool)}/history?${query}`,
      );
      if (generation === this.generation) this.history = withOlder(this.history, page);
    } catch (err) {
      if (generation !== this.generation) return;
      const message = err instanceof Error ? err.message : String(err);
      this.history = { ...this.history, loadingOlder: false, error: message };
    }
    if (generation === this.generation) this.render();
  }

  private async load(generation: number): Promise<void> {
    const pool = this.deps.pool();
    if (pool === null) return;
    const base = `/api/pools/${encodeURIComponent(pool)}`;
    const get = <T>(path: string) => getJson<T>(this.deps.fetch, `${base}${path}`);
    const route = this.route;
    try {
      switch (route.page) {
        case 'host': {
          const detail = await get<HostDetailView>(`/hosts/${encodeURIComponent(route.id)}`).catch(
            (err: unknown) => {
              if (err instanceof ApiError && err.status === 404) return 'missing' as const;
              throw err;
            },
          );
          if (generation === this.generation) this.hostDetail = detail;
          break;
        }
        case 'history': {
          const page = await readNewest(this.history, (cursor) =>
            get<Page<HistoryEntryView>>(
              `/history?${historyQuery(route.filter, HISTORY_PAGE, cursor)}`,
            ),
          );
          if (generation === this.generation) this.history = withNewest(this.history, page);
          break;
        }
        case 'event': {
          const view = await get<HistoryEventView>(`/history/${route.version}`);
          if (generation === this.generation) this.event = { view, error: null };
          break;
        }
        case 'search': {
          const lookup = buildLookup(this.deps.data());
          const asked = addressQuery(route.query);
          const param =
            asked === null
              ? null
              : 'mac' in asked
                ? `mac=${encodeURIComponent(asked.mac)}`
                : `ip=${encodeURIComponent(asked.ip)}`;
          const addresses = param
            ? (await get<Page<AddressView>>(`/addresses?${param}`)).items
            : [];
          const hits = uniqueHits([
            ...addressHits(addresses, lookup),
            ...nameHits(route.query, this.deps.data(), lookup),
          ]);
          if (generation === this.generation) this.search = { hits, error: null };
          break;
        }
        default:
          return;
      }
    } catch (err) {
      if (generation !== this.generation) return;
      const message = err instanceof Error ? err.message : String(err);
      if (route.page === 'history') this.history = { ...this.history, error: message };
      else if (route.page === 'event') this.event = { view: null, error: message };
      else if (route.page === 'search') this.search = { hits: [], error: message };
      else this.hostDetail = 'missing';
    }
    if (generation === this.generation) this.render();
  }
}
