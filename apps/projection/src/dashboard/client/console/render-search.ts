import { html, type TemplateResult } from 'lit-html';
import { pageLink } from './links.js';
import { type SearchHit } from './search.js';

const KIND: Record<SearchHit['page'], string> = {
  vm: 'VM',
  host: 'Host',
  network: 'Network',
  port: 'Port',
};

/** Search results: each a link to its page, with what matched. */
export function renderSearch(
  query: string,
  hits: SearchHit[] | null,
  error: string | null,
): TemplateResult {
  return html`<section class="card page" data-page="search">
    <header class="page-head">
      <a class="back" href="#/">← overview</a>
      <h2><span class="page-kind">Search</span> ${query}</h2>
      <span class="hint">MAC or IP (the address registry), or a name or id</span>
    </header>
    ${error ? html`<p class="bad-text" role="alert">${error}</p>` : null}
    ${
      hits === null
        ? html`<p class="loading">Searching…</p>`
        : hits.length === 0
          ? html`<p class="empty">Nothing matches "${query}".</p>`
          : html`<ul class="hits">
              ${hits.map(
                (h) =>
                  html`<li data-key=${`${h.page}/${h.id}`}>
                    <span class="badge">${KIND[h.page]}</span> ${pageLink(h.page, h.id, h.label)}
                    <span class="sub">${h.why}</span>
                  </li>`,
              )}
            </ul>`
    }
  </section>`;
}
