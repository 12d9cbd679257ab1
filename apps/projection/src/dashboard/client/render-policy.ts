import type {
  AclRuleView,
  AddressSetView,
  MirrorView,
  SecurityGroupView,
  SwitchView,
} from '@pool/contracts';
import { bytes, count } from './format.js';
import { html, type Html } from './html.js';
import { type Lookup } from './lookup.js';
import { describeMatch } from './render-match.js';
import {
  renderAddressSets,
  renderNetworkDefaults,
  renderSecurityGroups,
} from './render-security-groups.js';

export { describeMatch };

/** What the policy card is drawn from. */
export interface PolicyData {
  acls: AclRuleView[] | null;
  mirrors: MirrorView[] | null;
  securityGroups: SecurityGroupView[] | null;
  addressSets: AddressSetView[] | null;
  switch: SwitchView | null;
}

/** `h1: 3 packets, 294 B · h2: …`: where a rule's hits were counted. */
const hitsByHost = (rule: AclRuleView, lookup: Lookup): string =>
  rule.hits.hosts
    .map((h) => `${lookup.host(h.hostId)}: ${count(h.packets)} packets, ${bytes(h.bytes)}`)
    .join(' · ') || 'no host reported hits';

/**
 * Pool-wide policy, set once and held on every host: each network's default policy, the ACL
 * rules grouped by scope and direction, highest priority first (the order a packet meets them),
 * each with what it passed or dropped on every host (summed; per host on hover), the security
 * groups with their members and rules, the address sets, then the port mirrors.
 */
export function renderPolicy(data: PolicyData, lookup: Lookup): Html {
  const { acls, mirrors } = data;
  const rules = [...(acls ?? [])].sort(
    (a, b) =>
      lookup.scope(a.scope).localeCompare(lookup.scope(b.scope)) ||
      a.direction.localeCompare(b.direction) ||
      b.priority - a.priority,
  );
  return html`${renderNetworkDefaults(data.switch?.networks ?? null)}${
    rules.length === 0
      ? html`<p class="empty">No ACL rule: ports allow all traffic their default policy allows.</p>`
      : html`<table class="acls">
          <caption class="sr-only">
            ACL rules
          </caption>
          <thead>
            <tr>
              <th scope="col">Scope</th>
              <th scope="col">Direction</th>
              <th scope="col" class="num">Priority</th>
              <th scope="col">Match</th>
              <th scope="col">Action</th>
              <th scope="col" class="num">Packets</th>
              <th scope="col" class="num">Bytes</th>
            </tr>
          </thead>
          <tbody>
            ${rules.map(
              (rule) =>
                html`<tr data-key="${rule.id}">
                  <td>${lookup.scope(rule.scope)}</td>
                  <td>${rule.direction}</td>
                  <td class="num mono">${rule.priority}</td>
                  <td class="mono">${describeMatch(rule.match, lookup)}</td>
                  <td>
                    <span class="${`pill ${rule.action}`}">${rule.action}</span>
                    ${rule.stateless && html`<span class="sub">stateless</span>`}
                  </td>
                  <td class="num mono" title="${hitsByHost(rule, lookup)}">
                    ${count(rule.hits.packets)}
                  </td>
                  <td class="num mono">${bytes(rule.hits.bytes)}</td>
                </tr>`,
            )}
          </tbody>
        </table>`
  }
  ${renderSecurityGroups(data.securityGroups, acls, lookup)} ${renderAddressSets(data.addressSets)}
  ${
    mirrors !== null &&
    mirrors.length > 0 &&
    html`<h3 class="subhead">Port mirrors</h3>
      <ul class="mirrors">
        ${mirrors.map(
          (m) =>
            html`<li data-key="${m.id}">
              ${lookup.scope(m.source)} <span class="sub">(${m.direction})</span>
              <span aria-hidden="true">⇒</span><span class="sr-only">copied to</span>
              VIF ${lookup.vif(m.destinationVifId)} ${renderMirrorStatus(m.status)}
            </li>`,
        )}
      </ul>`
  }`;
}

const MIRROR_PILL = { active: 'ok', partial: 'warn', inactive: 'bad' } as const;

/** Whether the mirror copies now, and each reason a part of it does not (never left out). */
function renderMirrorStatus(status: MirrorView['status']) {
  return html`<span class="${`pill ${MIRROR_PILL[status.state]}`}">${status.state}</span> ${
      status.problems.length > 0 &&
      html`<ul class="mirror-problems">
        ${status.problems.map((p) => html`<li><span class="mono">${p.code}</span> ${p.message}</li>`)}
      </ul>`
    }`;
}
