import type {
  AclRuleView,
  AddressSetView,
  SecurityGroupView,
  SwitchNetworkView,
} from '@pool/contracts';
import { html, type Html } from './html.js';
import { type Lookup } from './lookup.js';
import { describeMatch } from './render-match.js';

/**
 * The default policy of every network: `deny` drops IP traffic no rule allows on each of its
 * ports, so it is what an operator checks first when a packet does not arrive.
 */
export function renderNetworkDefaults(networks: SwitchNetworkView[] | null): Html {
  if (networks === null || networks.length === 0) return html``;
  return html`<p class="defaults">
    <span class="sub-label">Default policy</span>
    ${networks.map(
      (n) =>
        html`<span class="default" data-key="${`net-${n.id}`}"
          >${n.name} <span class="${`pill ${n.aclDefault}`}">${n.aclDefault}</span></span
        >`,
    )}
  </p>`;
}

/**
 * Each security group with its default policy, its members by VM and VIF, and the rules scoped
 * to it in the order a packet meets them. A member's port is denied what no rule allows when
 * its group or its network says deny.
 */
export function renderSecurityGroups(
  groups: SecurityGroupView[] | null,
  acls: AclRuleView[] | null,
  lookup: Lookup,
): Html {
  if (groups === null) return html``;
  const rulesOf = (groupId: string) =>
    (acls ?? [])
      .filter((r) => r.scope.kind === 'group' && r.scope.groupId === groupId)
      .sort((a, b) => a.direction.localeCompare(b.direction) || b.priority - a.priority);
  return html`<h3 class="subhead">Security groups</h3>
    ${
      groups.length === 0
        ? html`<p class="empty">No security group.</p>`
        : html`<table class="groups">
            <caption class="sr-only">
              Security groups
            </caption>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Default</th>
                <th scope="col">Members</th>
                <th scope="col">Rules</th>
              </tr>
            </thead>
            <tbody>
              ${[...groups]
                .sort((a, b) => a.name.localeCompare(b.name))
                .map(
                  (g) =>
                    html`<tr data-key="${`group-${g.groupId}`}">
                      <th scope="row">${g.name}</th>
                      <td><span class="${`pill ${g.defaultPolicy}`}">${g.defaultPolicy}</span></td>
                      <td>
                        ${
                          g.vifIds.length === 0
                            ? html`<span class="sub">no member</span>`
                            : html`<ul class="members">
                                ${g.vifIds.map((id) => html`<li>${lookup.vif(id)}</li>`)}
                              </ul>`
                        }
                      </td>
                      <td>${renderGroupRules(rulesOf(g.groupId), lookup)}</td>
                    </tr>`,
                )}
            </tbody>
          </table>`
    }`;
}

const renderGroupRules = (rules: AclRuleView[], lookup: Lookup): Html =>
  rules.length === 0
    ? html`<span class="sub">no rule</span>`
    : html`<ul class="group-rules">
        ${rules.map(
          (r) =>
            html`<li>
              <span class="sub">${r.direction} ${r.priority}</span>
              <span class="mono">${describeMatch(r.match, lookup)}</span>
              <span class="${`pill ${r.action}`}">${r.action}</span>
            </li>`,
        )}
      </ul>`;

/** Address sets with their CIDRs; an empty one matches nothing, and says so. */
export function renderAddressSets(sets: AddressSetView[] | null): Html {
  if (sets === null || sets.length === 0) return html``;
  return html`<h3 class="subhead">Address sets</h3>
    <ul class="address-sets">
      ${[...sets]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(
          (s) =>
            html`<li data-key="${`set-${s.addressSetId}`}">
              <b>${s.name}</b>
              ${
                s.cidrs.length === 0
                  ? html`<span class="sub">empty: matches nothing</span>`
                  : html`<span class="mono">${s.cidrs.join(', ')}</span>`
              }
            </li>`,
        )}
    </ul>`;
}
