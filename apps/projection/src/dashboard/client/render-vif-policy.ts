import type { VifPolicyView, VifQosView } from '@pool/contracts';
import { kbit } from './format.js';
import { html, type Html } from './html.js';

const rate = (kbps: number, burstKb: number): string =>
  kbps === 0 ? 'unlimited' : `${kbit(kbps)}/s${burstKb > 0 ? ` (burst ${kbit(burstKb)})` : ''}`;

/** `in 100 Mbit/s (burst 10 Mbit) · out unlimited`, as poolctl's `--qos-in`/`--qos-out`. */
export function qosText(qos: VifQosView): string {
  return `in ${rate(qos.ingressKbps, qos.ingressBurstKb)} · out ${rate(qos.egressKbps, qos.egressBurstKb)}`;
}

/**
 * A port's QoS and port security as two tags, each in words: "no QoS" and "no port security"
 * say none outright, where a dash would read as "unknown".
 */
export function renderVifPolicy(policy: VifPolicyView): Html {
  return html`<span class="policy">
    ${
      policy.qos === null
        ? html`<span class="tag policy-off qos">no QoS</span>`
        : html`<span
            class="tag policy-on qos"
            title="in: what the VM sends (policed); out: what it receives (shaped)"
            >QoS ${qosText(policy.qos)}</span
          >`
    }
    ${
      policy.portSecurity
        ? html`<span
            class="tag policy-on port-security"
            title="only the VIF's own MAC and addresses may send on this port"
            >port security</span
          >`
        : html`<span class="tag policy-off port-security">no port security</span>`
    }
  </span>`;
}
