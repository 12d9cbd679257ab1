import type { CounterView } from '@pool/contracts';
import { html, type TemplateResult } from 'lit-html';
import { bytes, count } from '../format.js';
import { type Lookup } from '../lookup.js';
import { type CounterRates, type PortRates } from './counter-rates.js';
import { pageLink } from './links.js';
import { sparkline } from './sparkline.js';

/** The busiest ports only: a wall screen cannot list ten thousand. */
export const RATE_ROWS_SHOWN = 20;

const perSecond = (n: number) => `${count(Math.round(n))}/s`;
const bytesPerSecond = (n: number) => `${bytes(n)}/s`;

/**
 * Interface traffic as rates per second with a trend line, busiest now first; a port seen once
 * only says it is measuring (rates need two reports).
 */
export function renderRates(
  counters: readonly CounterView[],
  rates: CounterRates,
  lookup: Lookup,
  options: { limit?: number; hostColumn?: boolean } = {},
): TemplateResult {
  const { limit = RATE_ROWS_SHOWN, hostColumn = true } = options;
  if (counters.length === 0) return html`<p class="empty">No counters reported yet.</p>`;
  const rows = counters.map((c) => ({ c, r: rates.of(c.hostId, c.port) }));
  const load = ({ c, r }: (typeof rows)[number]) =>
    r ? r.rxBytes + r.txBytes : -1 / (1 + c.rxBytes + c.txBytes);
  const shown = rows.sort((a, b) => load(b) - load(a)).slice(0, limit);
  return html`<table class="rates">
      <caption class="sr-only">
        Traffic per port, per second
      </caption>
      <thead>
        <tr>
          <th scope="col">Port</th>
          ${hostColumn ? html`<th scope="col">Host</th>` : null}
          <th scope="col" class="num">RX pkt/s</th>
          <th scope="col" class="num">TX pkt/s</th>
          <th scope="col" class="num">RX</th>
          <th scope="col" class="num">TX</th>
          <th scope="col">Trend</th>
        </tr>
      </thead>
      <tbody>
        ${shown.map(({ c, r }) => rateRow(c, r, lookup, hostColumn))}
      </tbody>
    </table>
    ${
      counters.length > shown.length
        ? html`<p class="more">busiest ${shown.length} of ${count(counters.length)} ports</p>`
        : null
    }`;
}

function rateRow(
  c: CounterView,
  r: PortRates | null,
  lookup: Lookup,
  hostColumn: boolean,
): TemplateResult {
  const label = lookup.vif(c.vifId ?? c.port);
  const cells = r
    ? html`<td class="num mono rate">${perSecond(r.rxPackets)}</td>
        <td class="num mono rate">${perSecond(r.txPackets)}</td>
        <td class="num mono rate">${bytesPerSecond(r.rxBytes)}</td>
        <td class="num mono rate">${bytesPerSecond(r.txBytes)}</td>
        <td class="trend">${sparkline(r.trend, `${label}: bytes per second, last reports`)}</td>`
    : html`<td class="sub measuring" colspan="5">
        measuring… (${bytes(c.rxBytes + c.txBytes)} so far)
      </td>`;
  return html`<tr data-key=${`${c.hostId}/${c.port}`}>
    <th scope="row">${c.vifId ? pageLink('port', c.vifId, label) : label}</th>
    ${hostColumn ? html`<td>${pageLink('host', c.hostId, lookup.host(c.hostId))}</td>` : null}
    ${cells}
  </tr>`;
}
