import type { AdviceView, CounterView } from '@pool/contracts';
import { bytes, count } from './format.js';
import { html, type Html } from './html.js';
import { type Lookup } from './lookup.js';

/** The busiest ports only: a wall screen cannot list ten thousand. */
export const COUNTER_ROWS_SHOWN = 20;

/** Interface counters as hosts last reported them, busiest ports first. */
export function renderCounters(counters: CounterView[], lookup: Lookup): Html {
  if (counters.length === 0) {
    return html`<p class="empty">No counters reported yet.</p>`;
  }
  const total = (c: CounterView) => c.rxBytes + c.txBytes;
  const busiest = [...counters].sort((a, b) => total(b) - total(a)).slice(0, COUNTER_ROWS_SHOWN);
  return html`<table class="counters">
      <caption class="sr-only">
        Interface counters
      </caption>
      <thead>
        <tr>
          <th scope="col">Port</th>
          <th scope="col">Host</th>
          <th scope="col" class="num">RX packets</th>
          <th scope="col" class="num">TX packets</th>
          <th scope="col" class="num">RX</th>
          <th scope="col" class="num">TX</th>
        </tr>
      </thead>
      <tbody>
        ${busiest.map(
          (c) =>
            html`<tr data-key="${`${c.hostId}/${c.port}`}">
              <th scope="row">${lookup.vif(c.vifId ?? c.port)}</th>
              <td>${lookup.host(c.hostId)}</td>
              <td class="num mono">${count(c.rxPackets)}</td>
              <td class="num mono">${count(c.txPackets)}</td>
              <td class="num mono">${bytes(c.rxBytes)}</td>
              <td class="num mono">${bytes(c.txBytes)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${
      counters.length > busiest.length &&
      html`<p class="more">busiest ${busiest.length} of ${count(counters.length)} ports</p>`
    }`;
}

/**
 * Traffic-type advice: where management, VM and storage traffic share a NIC. Advice, not an
 * error: the pool works, but one busy traffic type can starve the others.
 */
export function renderAdvice(advice: AdviceView[]): Html {
  if (advice.length === 0) {
    return html`<p class="ok-text">Every host has a NIC per traffic type.</p>`;
  }
  return html`<ul class="advice">
    ${advice.map(
      (a) =>
        html`<li data-key="${`${a.hostId}/${a.device}`}" class="warn" title="${a.message}">
          <strong>${a.hostName}</strong>
          <b class="mono">${a.device}</b> carries
          ${a.traffic.map((t) => html`<span class="tag">${t}</span> `)}
          <span class="sub">dedicate a NIC (or a bond) to each traffic type</span>
        </li>`,
    )}
  </ul>`;
}
