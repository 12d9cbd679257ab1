import { usageError } from '../cli/errors.js';
import { type Scope } from '../requests/master-requests.js';

/** Exactly one of --network and --vif names what a rule or mirror applies to. */
export function scopeOf(options: { network?: string; vif?: string }, what: string): Scope {
  if ((options.network === undefined) === (options.vif === undefined)) {
    throw usageError(`${what} needs exactly one of --network <id> and --vif <id>`);
  }
  return options.network !== undefined
    ? { kind: 'network', networkId: options.network }
    : { kind: 'vif', vifId: options.vif! };
}
