/**
 * The dashboard's HTML document: landmarks and empty sections that `client/main.js` fills.
 * Static (no per-request data), so it is built once and served with an ETag.
 */

export const ASSET_PREFIX = '/dashboard';

/**
 * Where the browser finds the bare module names the client imports (lit-html): served from
 * this origin like the client (dashboard-assets.ts), allowed by its hash in the page's CSP.
 */
export const IMPORT_MAP = JSON.stringify({
  imports: { 'lit-html': `${ASSET_PREFIX}/lit-html.js` },
});

interface Card {
  view: string;
  title: string;
  hint: string;
}

const card = ({ view, title, hint }: Card) => `
      <section id="view-${view}" class="card" aria-labelledby="${view}-title">
        <header class="card-head">
          <h2 id="${view}-title">${title}</h2>
          <span class="hint">${hint}</span>
          <span class="status" role="status"></span>
        </header>
        <div class="body"><p class="loading">Loading…</p></div>
      </section>`;

const LEFT: Card[] = [
  {
    view: 'fabric',
    title: 'Pool as one switch',
    hint: 'hosts × networks: uplinks and tags, tunnels and their underlay',
  },
  {
    view: 'switch',
    title: 'Pool switch',
    hint: 'every network as one segment, every port on every host',
  },
  { view: 'vms', title: 'VMs', hint: 'where they run, with their addresses' },
];

const RIGHT: Card[] = [
  { view: 'hosts', title: 'Host convergence', hint: 'applied version against the log head' },
  { view: 'migrations', title: 'Migrations', hint: 'requested → prepared → activated → done' },
  { view: 'advice', title: 'Traffic-type advice', hint: 'NICs shared by several traffic types' },
  {
    view: 'policy',
    title: 'Policy',
    hint: 'ACLs, security groups and address sets, held on every host',
  },
  { view: 'counters', title: 'Interface traffic', hint: 'per second, from successive reports' },
];

const LOGO = `<svg class="logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
  <rect x="2" y="9" width="28" height="14" rx="3" fill="none" stroke="currentColor" stroke-width="2"/>
  <rect x="6" y="13" width="4" height="4" rx="1" class="logo-led a"/>
  <rect x="12" y="13" width="4" height="4" rx="1" class="logo-led b"/>
  <rect x="18" y="13" width="4" height="4" rx="1" class="logo-led a"/>
  <rect x="24" y="13" width="2" height="4" rx="1" class="logo-led c"/>
</svg>`;

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="dark light" />
    <title>poolnet dashboard</title>
    <link rel="icon" href="${ASSET_PREFIX}/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="${ASSET_PREFIX}/dashboard.css" />
    <script type="importmap">${IMPORT_MAP}</script>
    <script type="module" src="${ASSET_PREFIX}/main.js"></script>
  </head>
  <body>
    <a class="skip" href="#main">Skip to the dashboard</a>
    <header class="top">
      <div class="brand">${LOGO}<span>poolnet</span></div>
      <div class="picker">
        <label for="pool-picker">Pool</label>
        <select id="pool-picker"><option value="">loading…</option></select>
        <span id="pools-error" class="error-text" role="alert"></span>
      </div>
      <div id="link" class="link" data-state="connecting" role="status" aria-live="polite">
        <span class="dot" aria-hidden="true"></span><span class="link-text">connecting…</span>
      </div>
      <nav class="nav" aria-label="Console">
        <a href="#/">Overview</a>
        <a href="#/history">History</a>
      </nav>
      <form id="search" class="search" role="search">
        <label class="sr-only" for="search-input">Search MAC, IP, name or id</label>
        <input id="search-input" type="search" placeholder="MAC, IP, name or id" autocomplete="off" spellcheck="false" />
        <button type="submit">Search</button>
      </form>
      <span id="updated" class="updated"></span>
      <form id="auth" class="auth" hidden>
        <label for="token">API token</label>
        <input id="token" type="password" autocomplete="off" spellcheck="false" />
        <button type="submit">Use token</button>
      </form>
      <button id="theme" type="button" class="theme">◐ auto</button>
    </header>
    <main id="main">
      <section id="no-pool" class="card no-pool" hidden aria-labelledby="no-pool-title">
        <h2 id="no-pool-title">No pool yet</h2>
        <p>Create one on the pool master (<code>POST /pools</code>, or
          <code>poolctl pool create</code>); it appears here by itself.</p>
      </section>
      <div id="console" class="console" hidden></div>
      <div id="dashboard">
        <section id="view-summary" class="summary" aria-label="Pool at a glance">
          <div class="body"></div>
          <span class="status" role="status"></span>
        </section>
        <div class="columns">
          <div class="column wide">${LEFT.map(card).join('')}
          </div>
          <div class="column">${RIGHT.map(card).join('')}
          </div>
        </div>
      </div>
    </main>
    <footer class="foot">
      poolnet projection · <a href="/api/pools">read API</a> · <a href="/docs">API docs</a> ·
      <a href="/metrics">metrics</a>
    </footer>
    <noscript>The live dashboard needs JavaScript; the read API is at /api/pools.</noscript>
  </body>
</html>
`;

export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
  <rect x="2" y="9" width="28" height="14" rx="3" fill="#0f1720" stroke="#58a6ff" stroke-width="2"/>
  <rect x="6" y="13" width="4" height="4" rx="1" fill="#3fb950"/>
  <rect x="12" y="13" width="4" height="4" rx="1" fill="#d29922"/>
  <rect x="18" y="13" width="4" height="4" rx="1" fill="#3fb950"/>
</svg>
`;
