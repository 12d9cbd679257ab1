import type { AclRuleView, SecurityGroupView } from '@pool/contracts';
import { html, type TemplateResult } from 'lit-html';
import { bytes, count } from '../format.js';
import { type Lookup } from '../lookup.js';
import { describeMatch } from '../render-match.js';
import { routeHref } from './route.js';

/** A page's heading: what it is, its name, and a link to the log of what happened to it. */
export function pageHead(kind: string, name: string, object: string): TemplateResult {
  return html`<header class="page-head">
    <a class="back" href="#/">← overview</a>
    <h2><span class="page-kind">${kind}</span> ${name}</h2>
    <a class="page-history" href=${routeHref({ page: 'history', filter: { object } })}
      >its history</a
    >
  </header>`;
}

/** A definition list of label → value, for a page's facts. */
export const facts = (rows: [string, unknown][]): TemplateResult =>
  html`<dl class="facts">
    ${rows.map(
      ([label, value]) =>
        html`<div>
          <dt>${label}</dt>
          <dd>${value}</dd>
        </div>`,
    )}
  </dl>`;

export const notFound = (what: string): TemplateResult =>
  html`<section class="card page">
    <p class="empty">${what}</p>
    <a href="#/">Back to the overview</a>
  </section>`;

/** ACL rules with what they matched so far (packets and bytes, per host on hover). */
export function aclTable(rules: readonly AclRuleView[], lookup: Lookup): TemplateResult {
  if (rules.length === 0) return html`<p class="empty">No ACL rule applies here.</p>`;
  return html`<table class="acl-hits">
    <thead>
      <tr>
        <th scope="col">Rule</th>
        <th scope="col">Scope</th>
        <th scope="col">Direction</th>
        <th scope="col">Match</th>
        <th scope="col">Action</th>
        <th scope="col" class="num">Hits</th>
      </tr>
    </thead>
    <tbody>
      ${[...rules]
        .sort((a, b) => a.priority - b.priority)
        .map(
          (rule) =>
            html`<tr data-key=${rule.id}>
              <th scope="row" class="mono">
                ${rule.id} <span class="sub">p${rule.priority}</span>
              </th>
              <td>${lookup.scope(rule.scope)}</td>
              <td>${rule.direction}</td>
              <td class="mono">${describeMatch(rule.match, lookup)}</td>
              <td><span class="pill ${rule.action}">${rule.action}</span></td>
              <td
                class="num mono hits"
                title=${rule.hits.hosts
                  .map((h) => `${lookup.host(h.hostId)}: ${count(h.packets)} packets`)
                  .join('\n')}
              >
                ${count(rule.hits.packets)} pkts<span class="sub"> ${bytes(rule.hits.bytes)}</span>
              </td>
            </tr>`,
        )}
    </tbody>
  </table>`;
}

/** The rules that reach a VIF: its own, its network's and its security groups'. */
export function rulesForVif(
  rules: readonly AclRuleView[],
  groups: readonly SecurityGroupView[],
  vifId: string,
  networkId: string | null,
): AclRuleView[] {
  const memberOf = new Set(groups.filter((g) => g.vifIds.includes(vifId)).map((g) => g.groupId));
  return rules.filter(({ scope }) =>
    scope.kind === 'vif'
      ? scope.vifId === vifId
      : scope.kind === 'network'
        ? scope.networkId === networkId
        : memberOf.has(scope.groupId),
  );
}
