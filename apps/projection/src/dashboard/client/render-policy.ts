import { type AclRow, type MirrorRow } from './api-types.js';
import { bytes, count } from './format.js';
import { html, type Html } from './html.js';
import { type Lookup } from './lookup.js';

/** `tcp 22–80 10.0.0.0/8`, `any`: an ACL match the way it would be typed. */
export function describeMatch(match: AclRow['match']): string {
  const parts: string[] = [match.protocol];
  if (match.portFrom !== null) {
    const to = match.portTo ?? match.portFrom;
    parts.push(to === match.portFrom ? `port ${match.portFrom}` : `ports ${match.portFrom}–${to}`);
  }
  parts.push(match.cidr ?? 'any address');
  return parts.join(' ');
}

/** `h1: 3 packets, 294 B · h2: …`: where a rule's hits were counted. */
const hitsByHost = (rule: AclRow, lookup: Lookup): string =>
  rule.hits.hosts
    .map((h) => `${lookup.host(h.hostId)}: ${count(h.packets)} packets, ${bytes(h.bytes)}`)
    .join(' · ') || 'no host reported hits';

/**
 * Pool-wide ACL rules, set once and held on every host: grouped by scope and direction, highest
 * priority first (the order a packet meets them), each with what it passed or dropped on every
 * host (summed; per host on hover), then the port mirrors.
 */
export function renderPolicy(
  acls: AclRow[] | null,
  mirrors: MirrorRow[] | null,
  lookup: Lookup,
): Html {
  const rules = [...(acls ?? [])].sort(
    (a, b) =>
      lookup.scope(a.scope).localeCompare(lookup.scope(b.scope)) ||
      a.direction.localeCompare(b.direction) ||
      b.priority - a.priority,
  );
  return html`${
    rules.length === 0
      ? html`<p class="empty">No ACL rule: every port allows all traffic.</p>`
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
                  <td class="mono">${describeMatch(rule.match)}</td>
                  <td><span class="${`pill ${rule.action}`}">${rule.action}</span></td>
                  <td class="num mono" title="${hitsByHost(rule, lookup)}">
                    ${count(rule.hits.packets)}
                  </td>
                  <td class="num mono">${bytes(rule.hits.bytes)}</td>
                </tr>`,
            )}
          </tbody>
        </table>`
  }
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
              VIF ${lookup.vif(m.destinationVifId)}
            </li>`,
        )}
      </ul>`
  }`;
}
