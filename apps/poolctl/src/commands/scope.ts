import { usageError } from '../cli/errors.js';
import { type Scope } from '../requests/master-requests.js';
import { type Ids, type Refs } from './named-command.js';

/** Exactly one of --network and --vif names what a rule or mirror applies to. */
export function scopeOf(options: { network?: string; vif?: string }, what: string): Scope {
  if ((options.network === undefined) === (options.vif === undefined)) {
    throw usageError(`${what} needs exactly one of --network <id> and --vif <id>`);
  }
  return options.network !== undefined
    ? { kind: 'network', networkId: options.network }
    : { kind: 'vif', vifId: options.vif! };
}

/** The network a scope names, as a reference applyNamed may look up by name (VIFs: ids only). */
export const scopeRefs = (scope: Scope): Refs =>
  scope.kind === 'network' ? { network: scope.networkId } : {};

/** The scope with its network's id, once looked up. */
export const scopeWith = (scope: Scope, ids: Ids): Scope =>
  scope.kind === 'network' ? { kind: 'network', networkId: ids.network! } : scope;
