import { describe, expect, it } from 'vitest';
import { fakeServices, outcome, PROJECTION, run } from '../testing/fake-services.js';

const answering = (status: number, body?: unknown) => fakeServices(() => ({ status, body }));

describe('errors and exit codes', () => {
  it.each([
    [404, 'VM_NOT_FOUND', 1],
    [409, 'VM_NOT_HALTED', 1],
    [400, 'VALIDATION_FAILED', 1],
    [412, 'VERSION_MISMATCH', 1],
    [401, 'UNAUTHORIZED', 4],
    [403, 'FORBIDDEN', 4],
    [504, 'CONVERGENCE_TIMEOUT', 3],
    [503, 'SERVICE_UNAVAILABLE', 3],
  ])('HTTP %i %s exits %i with the API message and code', async (status, code, exit) => {
    const { fetch } = answering(status, { statusCode: status, code, message: 'It went wrong.' });
    const result = await run(['--pool', 'lab', 'vm', 'destroy', 'web-1'], fetch);
    expect(result).toEqual({
      code: exit,
      stdout: '',
      stderr: `poolctl: It went wrong. (${code})\n`,
    });
  });

  it('names the status when the answer has no {code, message}', async () => {
    const { fetch } = fakeServices(() => ({ status: 502, body: 'Bad gateway' }));
    const result = await run(['--pool', 'lab', 'vm', 'stop', 'web-1'], fetch);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe('poolctl: the master answered HTTP 502 (HTTP_502)\n');
  });

  it('exits 3 when the master is unreachable', async () => {
    const { fetch } = fakeServices(() => 'refuse');
    const result = await run(['--pool', 'lab', 'vm', 'stop', 'web-1'], fetch);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      'poolctl: cannot reach the master at http://master.test: ECONNREFUSED (UNREACHABLE)\n',
    );
  });

  it('exits 3 when the master does not answer in --timeout', async () => {
    const fetch = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => {
        init.signal!.addEventListener('abort', () => reject(init.signal!.reason as Error));
      })) as typeof globalThis.fetch;
    const result = await run(['--pool', 'lab', '--timeout', '0.05', 'vm', 'stop', 'x'], fetch);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('did not answer within');
    expect(result.stderr).toContain('(TIMEOUT)');
  });

  it('never prints the token, even in a failure', async () => {
    const { fetch } = answering(401, { code: 'UNAUTHORIZED', message: 'Bad token.' });
    const result = await run(['--token', 'hunter2', '--pool', 'lab', 'vm', 'list'], fetch, {
      env: {},
    });
    expect(result.code).toBe(4);
    expect(result.stdout + result.stderr).not.toContain('hunter2');
  });

  it('exits 0 on --help, 2 on a verb group without a verb', async () => {
    const { fetch, seen } = answering(200, outcome());
    const help = await run(['vm', 'start', '--help'], fetch);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: poolctl vm start [options] <vm>');
    expect(help.stdout).toContain('Examples:');
    expect((await run(['vm'], fetch)).code).toBe(2);
    expect(seen).toEqual([]);
  });

  it('lists pools only through the projection', async () => {
    const { fetch } = fakeServices((r) => (r.url.origin === PROJECTION ? 'refuse' : undefined));
    const result = await run(['pool', 'list'], fetch);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('(PROJECTION_REQUIRED)');
  });
});
