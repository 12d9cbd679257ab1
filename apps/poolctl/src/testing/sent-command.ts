import { expect } from 'vitest';
import { fakeServices, masterCommands, outcome, run } from './fake-services.js';

/**
 * Runs a verb (pool `lab`) against a master that accepts everything; expects it to succeed
 * quietly and returns the one command it sent, path decoded.
 */
export async function sentCommand(argv: string[]) {
  const { fetch, seen } = fakeServices(masterCommands(() => ({ status: 200, body: outcome() })));
  const result = await run(['--pool', 'lab', ...argv], fetch);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const commands = seen.filter((r) => r.method !== 'GET');
  expect(commands).toHaveLength(1);
  const [request] = commands;
  return {
    method: request!.method,
    path: decodeURIComponent(request!.url.pathname),
    body: request!.body,
  };
}
