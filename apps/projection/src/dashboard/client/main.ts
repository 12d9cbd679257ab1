/**
 * The dashboard page: picks a pool, loads each section from the read API, and keeps them
 * current from the pool's server-sent events by refetching only the sections an event touches.
 * Never reloads the page. Markup comes from the pure renderers; this file only wires the DOM.
 */
import { ApiError, getAll, getJson, type Fetch } from './api-client.js';
import type { CounterView, PoolSummaryView } from '@pool/contracts';
import { browser, byId, type DomElement } from './browser.js';
import {
  DATA_KEYS,
  ENDPOINTS,
  HOST_EVENT_KEYS,
  endpointUrl,
  keysForChange,
  viewsFor,
  VIEWS,
  type DataKey,
  type ViewId,
} from './data-keys.js';
import { FetchEventSource } from './fetch-event-source.js';
import { age, clock, count } from './format.js';
import { LiveStream, type LinkState } from './live-stream.js';
import { RefreshQueue, type Timers } from './refresh-queue.js';
import { renderPoolOptions } from './render-summary.js';
import { emptyData, ownKeys, renderView, type DashboardData } from './views.js';
import { html, render as renderLit, type TemplateResult } from 'lit-html';
import { ConsoleView } from './console/console-view.js';
import { CounterRates } from './console/counter-rates.js';
import { renderFabric } from './console/render-fabric.js';
import { renderRates } from './console/render-rates.js';
import { parseRoute, routeHref, type HistoryFilter } from './console/route.js';
import { buildLookup } from './lookup.js';
import { renderAdvice } from './render-advice.js';

/** Two refetches of one section are at least this far apart. */
const REFRESH_GAP_MS = 250;
/** Ages ("4 s ago") tick every second; states that depend on time are redrawn this often. */
const TICK_MS = 1_000;
const TIME_VIEWS_EVERY_TICKS = 5;
const TIME_VIEWS: ViewId[] = ['summary', 'hosts', 'migrations'];
/** The cards drawn with lit-html (the others are still strings of html.ts, being ported). */
const LIT_VIEWS: ReadonlySet<ViewId> = new Set(['counters', 'fabric', 'advice']);
const POOLS_REFRESH_MS = 30_000;
const THEMES = ['auto', 'dark', 'light'] as const;
const THEME_KEY = 'poolnet.dashboard.theme';
/** Per tab: a token typed on a shared screen should not outlive the session. */
const TOKEN_KEY = 'poolnet.dashboard.token';

const timers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

/** The API's bearer token, when it asks for one (AUTH_TOKENS set on the projection). */
let token: string | null = readStorage(() => browser.sessionStorage.getItem(TOKEN_KEY));
const authHeaders = (): Record<string, string> =>
  token === null ? {} : { authorization: `Bearer ${token}` };
const fetchJson: Fetch = (url, init) =>
  fetch(url, { ...init, headers: { ...init?.headers, ...authHeaders() } });

class Dashboard {
  private poolId: string | null = null;
  private pools: PoolSummaryView[] = [];
  private data: DashboardData = emptyData();
  private readonly errors = new Map<DataKey, string>();
  private readonly truncated = new Set<DataKey>();
  private readonly shownKeys = new Map<ViewId, Set<string>>();
  private readonly queue = new RefreshQueue<DataKey>(
    (key, generation) => this.load(key, generation),
    REFRESH_GAP_MS,
    timers,
  );
  private stream: LiveStream | null = null;
  private ticks = 0;
  /** Until start() has chosen the pool (the URL's, else the first), nothing else picks one. */
  private started = false;
  /** The stream of the shown pool has been live once: its loss makes the data stale. */
  private everLive = false;
  private linkLive = false;
  /** Rates per second from successive counter samples (reset with the pool). */
  private readonly rates = new CounterRates();
  private readonly console = new ConsoleView({
    container: byId('console'),
    overview: byId('dashboard'),
    fetch: fetchJson,
    pool: () => this.poolId,
    data: () => this.data,
    rates: this.rates,
  });

  async start(): Promise<void> {
    const picker = byId('pool-picker');
    picker.addEventListener('change', () => this.select(picker.value || null));
    picker.addEventListener('focus', () => void this.loadPools());
    setupThemeToggle();
    this.setupTokenForm();
    this.setupConsole();
    setInterval(() => this.tick(), TICK_MS);
    setInterval(() => void this.loadPools(), POOLS_REFRESH_MS);
    // Read before anything selects a pool: select() rewrites the URL.
    const wanted = new URLSearchParams(browser.location.search).get('pool');
    await this.loadPools();
    const found = this.pools.find((p) => p.id === wanted);
    if (wanted !== null && !found) {
      byId('pools-error').textContent = `No pool "${wanted}" here.`;
    }
    this.started = true;
    this.select(found?.id ?? this.pools[0]?.id ?? null);
  }

  private select(poolId: string | null): void {
    if (poolId === this.poolId && this.stream) return;
    this.stream?.stop();
    this.stream = null;
    this.queue.reset();
    this.poolId = poolId;
    this.data = emptyData();
    this.everLive = false;
    this.errors.clear();
    this.truncated.clear();
    this.shownKeys.clear();
    this.rates.reset();
    byId('pool-picker').value = poolId ?? '';
    // The console's page (the hash) stays: a bookmark names the pool and the page.
    browser.history.replaceState(
      null,
      '',
      (poolId === null ? browser.location.pathname : `?pool=${encodeURIComponent(poolId)}`) +
        browser.location.hash,
    );
    byId('no-pool').hidden = poolId !== null;
    byId('dashboard').hidden = poolId === null;
    if (poolId === null) {
      this.setLink('stopped', 0);
      return;
    }
    this.render(VIEWS);
    this.console.show(parseRoute(browser.location.hash));
    this.queue.request(DATA_KEYS);
    this.stream = new LiveStream({
      url: `/api/pools/${encodeURIComponent(poolId)}/stream`,
      // EventSource cannot send a header: with a token the stream is read through fetch.
      open: (url) =>
        token === null ? new browser.EventSource(url) : new FetchEventSource(url, authHeaders()),
      timers,
      onState: (state, attempt) => this.setLink(state, attempt),
      onResync: () => this.queue.request(DATA_KEYS),
      onChange: (event) => {
        this.noteEvent(`v${count(event.version)}`);
        this.queue.request(keysForChange(event.kinds));
        this.console.refresh();
        if (event.kinds.includes('pool')) void this.loadPools();
      },
      onHost: (event) => {
        this.noteEvent(`${event.hostId} at v${count(event.appliedVersion)}`);
        this.queue.request(HOST_EVENT_KEYS);
      },
    });
    this.stream.start();
  }

  private async loadPools(): Promise<void> {
    try {
      const { items } = await getAll<PoolSummaryView>(fetchJson, '/api/pools');
      this.pools = items;
      byId('pool-picker').innerHTML = renderPoolOptions(items, this.poolId).value;
      if (this.started) byId('pools-error').textContent = '';
      // The first pool appeared while the page showed "no pool yet".
      if (this.started && this.poolId === null && items[0]) this.select(items[0].id);
    } catch (err) {
      byId('pools-error').textContent = `Pools unavailable: ${describe(err)}`;
      this.noteDenied(err);
    }
  }

  private async load(key: DataKey, generation: number): Promise<void> {
    const pool = this.poolId;
    if (pool === null) return;
    const url = endpointUrl(pool, key);
    try {
      let value: unknown;
      if (ENDPOINTS[key].list) {
        const page = await getAll<unknown>(fetchJson, url);
        value = page.items;
        if (page.truncated) this.truncated.add(key);
        else this.truncated.delete(key);
      } else {
        value = await getJson<unknown>(fetchJson, url);
      }
      if (generation !== this.queue.currentGeneration) return;
      (this.data as unknown as Record<DataKey, unknown>)[key] = value;
      if (key === 'counters') this.rates.record(value as CounterView[]);
      if (key === 'hosts') {
        this.data.hostsReadAt = Date.now();
        // Read over a live stream: current again (the render below redraws its views).
        if (this.linkLive) this.data.staleSince = null;
      }
      this.errors.delete(key);
      if (key === 'pool' && this.data.pool) {
        browser.document.title = `${this.data.pool.name} · poolnet`;
      }
    } catch (err) {
      if (generation !== this.queue.currentGeneration) return;
      this.errors.set(key, describe(err));
      this.noteDenied(err);
    }
    this.render(viewsFor([key]));
    this.console.render();
  }

  private render(views: readonly ViewId[]): void {
    const now = Date.now();
    for (const view of views) {
      const card = byId(`view-${view}`);
      const body = card.querySelector('.body') ?? card;
      if (LIT_VIEWS.has(view)) this.renderLitCard(view, body);
      else body.innerHTML = renderView(view, this.data, now, (key) => this.errors.has(key)).value;
      this.markFresh(view, body);
      const status = card.querySelector('.status');
      if (!status) continue;
      const failures = ownKeys(view).flatMap((key) => this.errors.get(key) ?? []);
      const cut = ownKeys(view).some((key) => this.truncated.has(key));
      status.textContent =
        failures.length > 0 ? `⚠ ${failures.join('; ')}` : cut ? 'first 5,000 shown' : '';
      status.classList.toggle('error', failures.length > 0);
    }
  }

  /**
   * Rows that were not there before flash once, so a change is seen from across the room. Only
   * once the view has had all its data: the first load is not news.
   */
  private markFresh(view: ViewId, body: DomElement): void {
    const previous = this.shownKeys.get(view);
    const keys = new Set<string>();
    for (const element of body.querySelectorAll('[data-key]')) {
      const key = element.dataset.key ?? '';
      keys.add(key);
      if (previous && !previous.has(key)) element.classList.add('fresh');
    }
    const loaded = ownKeys(view).every((key) => this.data[key] !== null || this.errors.has(key));
    if (loaded) this.shownKeys.set(view, keys);
  }

  /**
   * The cards drawn by lit-html (traffic with its sparklines, the hosts × networks picture, the
   * traffic-type advice):
   * only their changed cells are touched, so a live update does not redraw the whole card.
   */
  private renderLitCard(view: ViewId, body: DomElement): void {
    if (body.dataset.lit === undefined) {
      body.innerHTML = ''; // the page's static placeholder, before lit owns the element
      body.dataset.lit = '';
    }
    const failed = ownKeys(view).some((key) => this.errors.has(key));
    const content =
      this.litView(view) ??
      html`<p class=${failed ? 'empty' : 'loading'}>
        ${failed ? 'Not available right now.' : 'Loading…'}
      </p>`;
    renderLit(content, body);
  }

  /** A lit card's content from the data loaded so far; null until its main data is in. */
  private litView(view: ViewId): TemplateResult | null {
    const { counters, switch: sw, advice } = this.data;
    switch (view) {
      case 'counters':
        return counters && renderRates(counters, this.rates, buildLookup(this.data));
      case 'fabric':
        return sw && renderFabric(sw, this.data.hosts, buildLookup(this.data));
      case 'advice':
        return advice && renderAdvice(advice);
      default:
        return null;
    }
  }

  /** Hash routes open the console's pages; the search box and the history filter write them. */
  private setupConsole(): void {
    browser.addEventListener('hashchange', () => {
      if (this.poolId !== null) this.console.show(parseRoute(browser.location.hash));
    });
    byId('search').addEventListener('submit', (event) => {
      (event as { preventDefault(): void }).preventDefault();
      const query = byId('search-input').value.trim();
      if (query !== '') browser.location.hash = routeHref({ page: 'search', query });
    });
    // The history filter is drawn (and redrawn) inside the console: one listener for it.
    byId('console').addEventListener('submit', (event) => {
      const form = (event as { target: DomElement | null }).target;
      if (!form?.classList.contains('history-filter')) return;
      (event as { preventDefault(): void }).preventDefault();
      const filter: HistoryFilter = {};
      for (const key of ['actor', 'object', 'type'] as const) {
        const value = form.querySelector(`input[name="${key}"]`)?.value.trim();
        if (value) filter[key] = value;
      }
      browser.location.hash = routeHref({ page: 'history', filter });
    });
  }

  private tick(): void {
    const now = Date.now();
    for (const element of browser.document.documentElement.querySelectorAll('[data-since]')) {
      const since = element.dataset.since;
      if (since) element.textContent = age(since, now);
    }
    this.ticks += 1;
    if (this.poolId !== null && this.ticks % TIME_VIEWS_EVERY_TICKS === 0) {
      this.render(TIME_VIEWS);
    }
  }

  private setLink(state: LinkState, attempt: number): void {
    // Lost after it was live: what the page shows stops being current; live again, the
    // stream's resync refetches everything.
    const stale = state === 'reconnecting' || (state === 'stopped' && this.poolId !== null);
    if (stale && this.data.staleSince === null && this.everLive) {
      this.data.staleSince = Date.now();
      this.render(VIEWS);
    }
    // Back live, the data stays marked stale until the resync has read the hosts again.
    if (state === 'live') this.everLive = true;
    this.linkLive = state === 'live';
    const link = byId('link');
    link.dataset.state = state;
    browser.document.documentElement.dataset.link = state;
    const text = link.querySelector('.link-text');
    if (!text) return;
    text.textContent =
      state === 'live'
        ? 'live'
        : state === 'connecting'
          ? 'connecting…'
          : state === 'reconnecting'
            ? `reconnecting${attempt > 1 ? ` (attempt ${attempt})` : '…'}`
            : 'not connected';
  }

  /** A 401 or 403 means the API wants a (better) token: ask for one. */
  private noteDenied(err: unknown): void {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      byId('auth').hidden = false;
    }
  }

  private setupTokenForm(): void {
    const form = byId('auth');
    form.addEventListener('submit', (event) => {
      (event as { preventDefault(): void }).preventDefault();
      const typed = byId('token').value.trim();
      token = typed === '' ? null : typed;
      readStorage(() =>
        token === null
          ? browser.sessionStorage.removeItem(TOKEN_KEY)
          : browser.sessionStorage.setItem(TOKEN_KEY, token),
      );
      form.hidden = true;
      byId('token').value = '';
      const pool = this.poolId;
      this.stream?.stop();
      this.stream = null; // select() starts over even for the same pool
      void this.loadPools().then(() => this.select(pool ?? this.pools[0]?.id ?? null));
    });
  }

  private noteEvent(what: string): void {
    byId('updated').textContent = `last event ${what} at ${clock(Date.now())}`;
  }
}

function describe(err: unknown): string {
  if (err instanceof ApiError) return `${err.message} (${err.status})`;
  return err instanceof Error ? err.message : String(err);
}

/** Auto follows the system's preference; dark and light override it (kept per browser). */
function setupThemeToggle(): void {
  const button = byId('theme');
  const apply = (theme: (typeof THEMES)[number]) => {
    const root = browser.document.documentElement;
    if (theme === 'auto') delete root.dataset.theme;
    else root.dataset.theme = theme;
    button.setAttribute('aria-label', `Colour theme: ${theme}. Change theme`);
    button.textContent = theme === 'auto' ? '◐ auto' : theme === 'dark' ? '● dark' : '○ light';
  };
  const stored = readStorage(() => browser.localStorage.getItem(THEME_KEY));
  let current: (typeof THEMES)[number] = THEMES.find((t) => t === stored) ?? 'auto';
  apply(current);
  button.addEventListener('click', () => {
    current = THEMES[(THEMES.indexOf(current) + 1) % THEMES.length] ?? 'auto';
    apply(current);
    readStorage(() => browser.localStorage.setItem(THEME_KEY, current));
  });
}

/** Storage can be disabled (privacy settings, some kiosks): then nothing is remembered. */
function readStorage<T>(use: () => T): T | null {
  try {
    return use();
  } catch {
    return null;
  }
}

browser.__loadId ??= `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
void new Dashboard().start();
