import type { AdviceView } from '@pool/contracts';
import { html, type TemplateResult } from 'lit-html';

/**
 * Traffic-type advice: where management, VM and storage traffic share a NIC. Advice, not an
 * error: the pool works, but one busy traffic type can starve the others.
 */
export function renderAdvice(advice: AdviceView[]): TemplateResult {
  if (advice.length === 0) {
    return html`<p class="ok-text">Every host has a NIC per traffic type.</p>`;
  }
  return html`<ul class="advice">
    ${advice.map(
      (a) =>
        html`<li data-key=${`${a.hostId}/${a.device}`} class="warn" title=${a.message}>
          <strong>${a.hostName}</strong>
          <b class="mono">${a.device}</b> carries
          ${a.traffic.map((t) => html`<span class="tag">${t}</span> `)}
          <span class="sub">dedicate a NIC (or a bond) to each traffic type</span>
        </li>`,
    )}
  </ul>`;
}
