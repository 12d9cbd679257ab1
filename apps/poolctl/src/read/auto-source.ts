import { ApiError, type CliError } from '../cli/errors.js';
import { isUnreachable } from '../http/http-client.js';
import { type ReadSource } from './views.js';

type Reads = { [K in keyof ReadSource]: ReadSource[K] };

/**
 * The projection first, the master's log when the projection cannot answer: unreachable (once
 * unreachable, the rest of the run reads the log), or a 404 (the projection may lag a command
 * that just returned, or not serve that route yet; the log is the authority on what exists).
 */
export function autoSource(
  projection: ReadSource,
  log: ReadSource,
  note: (message: string) => void,
): ReadSource {
  let projectionDown = false;
  const read = <K extends keyof ReadSource>(key: K): ReadSource[K] => {
    const call = (source: ReadSource, args: unknown[]) =>
      (source[key] as (...a: unknown[]) => Promise<unknown>).apply(source, args);
    const fallingBack = async (...args: unknown[]): Promise<unknown> => {
      if (!projectionDown) {
        try {
          return await call(projection, args);
        } catch (error) {
          if (isUnreachable(error)) {
            projectionDown = true;
            note(`${(error as CliError).message}; reading the master's log instead`);
          } else if (!(error instanceof ApiError && error.status === 404)) {
            throw error;
          }
        }
      }
      return call(log, args);
    };
    return fallingBack as ReadSource[K];
  };
  const reads: Reads = {
    pools: read('pools'),
    pool: read('pool'),
    hosts: read('hosts'),
    host: read('host'),
    networks: read('networks'),
    network: read('network'),
    vms: read('vms'),
    vm: read('vm'),
    acls: read('acls'),
    mirrors: read('mirrors'),
    addressSets: read('addressSets'),
    securityGroups: read('securityGroups'),
  };
  return reads;
}
