import { usageError } from '../cli/errors.js';
import { type Scope } from '../requests/master-requests.js';
import { type Ids, type Refs } from './named-command.js';

/** Exactly one of --network, --vif and --group names what a rule or mirror applies to. */
export function scopeOf(options: { network?: string; vif?: string; group?: string }, what: string) {
  const given = [options.network, options.vif, options.group].filter((o) => o !== undefined);
  if (given.length !== 1) {
    throw usageError(`${what} needs exactly one of --network <id>, --vif <id> and --group <id>`);
  }
  const scope: Scope =
    options.network !== undefined
      ? { kind: 'network', networkId: options.network }
      : options.vif !== undefined
        ? { kind: 'vif', vifId: options.vif }
        : { kind: 'group', groupId: options.group! };
  return scope;
}

/** What a scope names that applyNamed may look up by name (VIFs: ids only). */
export const scopeRefs = (scope: Scope): Refs =>
  scope.kind === 'network'
    ? { network: scope.networkId }
    : scope.kind === 'group'
      ? { securityGroup: scope.groupId }
      : {};

/** The scope with its network's or group's id, once looked up. */
export const scopeWith = (scope: Scope, ids: Ids): Scope =>
  scope.kind === 'network'
    ? { kind: 'network', networkId: ids.network! }
    : scope.kind === 'group'
      ? { kind: 'group', groupId: ids.securityGroup! }
      : scope;
