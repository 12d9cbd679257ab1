import type { DiffFieldChange, HistoryEntryView, HistoryEventView } from '@pool/contracts';
import { html, type TemplateResult } from 'lit-html';
import { type Lookup } from '../lookup.js';
import { objectLink } from './links.js';
import { type HistoryPage } from './history-pages.js';
import { routeHref } from './route.js';

const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

/**
 * The log, newest first: version, time, actor, type and the objects each event named; filters
 * by actor, object and type (a form that writes the hash); each event opens its diff. Older
 * pages load on demand (`loadOlder`), below the ones shown.
 */
export function renderHistory(
  page: HistoryPage,
  lookup: Lookup,
  loadOlder: () => void,
): TemplateResult {
  const { filter } = page;
  return html`<section class="card page" data-page="history">
    <header class="page-head">
      <a class="back" href="#/">← overview</a>
      <h2>History</h2>
      <span class="hint">the pool's log: who changed what, when; an event opens its diff</span>
    </header>
    <form class="history-filter" aria-label="Filter the log">
      <label>Actor <input name="actor" .value=${filter.actor ?? ''} autocomplete="off" /></label>
      <label
        >Object
        <input
          name="object"
          .value=${filter.object ?? ''}
          placeholder="vms/web-1 or web-1"
          autocomplete="off"
      /></label>
      <label
        >Type
        <input name="type" .value=${filter.type ?? ''} placeholder="VmStarted" autocomplete="off"
      /></label>
      <button type="submit">Filter</button>
      <a href="#/history">clear</a>
    </form>
    ${page.error ? html`<p class="bad-text" role="alert">${page.error}</p>` : null}
    ${
      page.entries === null
        ? html`<p class="loading">Loading…</p>`
        : page.entries.length === 0
          ? html`<p class="empty">No event matches.</p>`
          : html`<div class="scroll">
              <table class="history">
                <thead>
                  <tr>
                    <th scope="col" class="num">Version</th>
                    <th scope="col">Time (UTC)</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Event</th>
                    <th scope="col">Objects</th>
                  </tr>
                </thead>
                <tbody>
                  ${page.entries.map((e) => historyRow(e, lookup))}
                </tbody>
              </table>
            </div>`
    }
    ${
      page.entries !== null && page.cursor !== null
        ? html`<p class="more-history">
            <button type="button" class="older" ?disabled=${page.loadingOlder} @click=${loadOlder}>
              ${page.loadingOlder ? 'Loading older events…' : 'Older events'}
            </button>
            <span class="hint">${page.entries.length} shown</span>
          </p>`
        : null
    }
  </section>`;
}

function historyRow(e: HistoryEntryView, lookup: Lookup): TemplateResult {
  return html`<tr data-key=${`v${e.version}`}>
    <th scope="row" class="num">
      <a class="event-link" href=${routeHref({ page: 'event', version: e.version })}
        >v${e.version}</a
      >
    </th>
    <td class="mono nowrap">${when(e.recordedAt)}</td>
    <td>${e.actor ?? '—'}</td>
    <td><a href=${routeHref({ page: 'event', version: e.version })}>${e.type}</a></td>
    <td class="objects">
      ${e.objects.map((key) => html`${objectLink(key, objectLabel(key, lookup))} `)}
    </td>
  </tr>`;
}

const objectLabel = (key: string, lookup: Lookup): string => {
  const [kind = '', id = ''] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
  if (kind === 'vms') return `VM ${lookup.vm(id)}`;
  if (kind === 'hosts') return `host ${lookup.host(id)}`;
  if (kind === 'networks') return `network ${lookup.network(id)}`;
  if (kind === 'vifs') return `port ${lookup.vif(id)}`;
  return key;
};

const value = (v: unknown) => (v === undefined ? '∅' : JSON.stringify(v));

/** One event and the change it made: each object added, changed field by field, or removed. */
export function renderEvent(
  version: number,
  event: HistoryEventView | null,
  error: string | null,
  lookup: Lookup,
): TemplateResult {
  const head = html`<header class="page-head">
    <a class="back" href="#/history">← history</a>
    <h2><span class="page-kind">Event</span> v${version}${event ? html` ${event.type}` : null}</h2>
  </header>`;
  if (error)
    return html`<section class="card page">
      ${head}
      <p class="bad-text">${error}</p>
    </section>`;
  if (!event)
    return html`<section class="card page">
      ${head}
      <p class="loading">Loading…</p>
    </section>`;
  return html`<section class="card page" data-page="event">
    ${head}
    <dl class="facts">
      <div>
        <dt>time</dt>
        <dd class="mono">${when(event.recordedAt)}</dd>
      </div>
      <div>
        <dt>actor</dt>
        <dd>${event.actor ?? '—'}</dd>
      </div>
      <div>
        <dt>objects</dt>
        <dd>${event.objects.map((key) => html`${objectLink(key, objectLabel(key, lookup))} `)}</dd>
      </div>
    </dl>
    <h3 class="subhead">What it changed</h3>
    ${
      event.changes.length === 0
        ? html`<p class="empty">Nothing in the configuration (runtime or a no-op).</p>`
        : html`<ul class="diff">
            ${event.changes.map(
              (c) =>
                html`<li class="diff-object ${c.change}" data-key=${`${c.kind}/${c.id}`}>
                  <span
                    class="pill ${c.change === 'removed' ? 'bad' : c.change === 'added' ? 'ok' : 'warn'}"
                    >${c.change}</span
                  >
                  ${objectLink(`${c.kind}/${c.id}`)}
                  ${
                    c.fields.length > 0
                      ? html`<ul class="diff-fields">
                          ${c.fields.map(fieldRow)}
                        </ul>`
                      : null
                  }
                </li>`,
            )}
          </ul>`
    }
    <details class="event-data">
      <summary>Event data</summary>
      <pre class="mono">${JSON.stringify(event.data, null, 2)}</pre>
    </details>
  </section>`;
}

const fieldRow = (f: DiffFieldChange): TemplateResult =>
  html`<li>
    <span class="mono field">${f.field}</span>
    <span class="mono from">${value(f.from)}</span> → <span class="mono to">${value(f.to)}</span>
  </li>`;
