import { describe, expect, it } from 'vitest';
import {
  fakeServices,
  MASTER,
  outcome,
  PROJECTION,
  run,
  type SeenRequest,
} from '../testing/fake-services.js';

const started = outcome({
  version: 20,
  enabledHosts: ['host-a', 'host-b'],
  events: [{ type: 'VmStarted', version: 20, data: { vmId: 'web-1', hostId: 'host-a' } }],
});

const isCommand = (r: SeenRequest) => r.url.origin === MASTER && r.method !== 'GET';

/** The master: the first call commits, the barrier call (wait=hosts) answers after a while. */
const master = (r: SeenRequest) => {
  if (!isCommand(r)) return undefined;
  if (r.url.searchParams.get('wait') !== 'hosts') return { status: 200, body: started };
  return {
    status: 200,
    body: { ...started, duplicate: true, hosts: { 'host-a': 20, 'host-b': 21 } },
  };
};

const hostsAt = (a: number, b: number) => (r: SeenRequest) =>
  r.url.origin === PROJECTION && r.url.pathname === '/api/pools/lab/hosts'
    ? {
        status: 200,
        body: {
          items: [
            { id: 'host-a', appliedVersion: a },
            { id: 'host-b', appliedVersion: b },
          ],
          nextCursor: null,
        },
      }
    : undefined;

/** Delays every answer a little so the watcher gets to poll while the barrier is pending. */
const slow =
  (fetch: typeof globalThis.fetch): typeof globalThis.fetch =>
  async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.searchParams.get('wait') === 'hosts') await new Promise((r) => setTimeout(r, 100));
    return fetch(input, init);
  };

describe('--wait', () => {
  it('commits, then waits at the master barrier with the same Idempotency-Key', async () => {
    const { fetch, seen } = fakeServices(master, hostsAt(20, 19));
    const result = await run(
      [
        '--pool',
        'lab',
        '--timeout',
        '30',
        '-o',
        'json',
        'vm',
        'start',
        'web-1',
        '--on',
        'host-a',
        '--wait',
      ],
      slow(fetch),
    );
    expect(result.code).toBe(0);
    const commands = seen.filter(isCommand);
    expect(commands.map((r) => [r.url.search, r.headers['idempotency-key']])).toEqual([
      ['', 'key-1'],
      ['?wait=hosts&timeoutMs=30000', 'key-1'],
    ]);
    expect(commands[1]!.body).toEqual(commands[0]!.body);
    // The first outcome (not the duplicate), with the hosts the barrier reported.
    expect(JSON.parse(result.stdout)).toEqual({
      ...started,
      hosts: { 'host-a': 20, 'host-b': 21 },
    });
    expect(result.stderr).toBe('');
  });

  it('draws a bar of hosts converged on a terminal, from the projection', async () => {
    const { fetch } = fakeServices(master, hostsAt(20, 19));
    const result = await run(
      ['--pool', 'lab', 'vm', 'start', 'web-1', '--on', 'host-a', '--wait'],
      slow(fetch),
      { tty: true },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('waiting for version 20');
    expect(result.stderr).toContain('1/2 hosts applied');
    expect(result.stderr).toContain('2/2 hosts applied');
    expect(result.stdout).toBe('version 20: VmStarted; applied by 2/2 hosts\n');
  });

  it('falls back to a spinner when the projection is unreachable', async () => {
    const { fetch } = fakeServices(master, (r) =>
      r.url.origin === PROJECTION ? 'refuse' : undefined,
    );
    const result = await run(
      ['--pool', 'lab', 'vm', 'start', 'web-1', '--on', 'host-a', '--wait'],
      slow(fetch),
      { tty: true },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'waiting for 2 host(s) to apply version 20 (projection unreachable)',
    );
  });

  it('then waits for the projection to show the version, so reads see the change', async () => {
    let poolReads = 0;
    const projectionPool = (r: SeenRequest) =>
      r.url.origin === PROJECTION && r.url.pathname === '/api/pools/lab'
        ? { status: 200, body: { id: 'lab', version: ++poolReads < 3 ? 19 : 20 } }
        : undefined;
    const { fetch } = fakeServices(master, hostsAt(20, 20), projectionPool);
    const result = await run(
      ['--pool', 'lab', 'vm', 'start', 'web-1', '--on', 'a', '--wait'],
      fetch,
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(poolReads).toBe(3);
  });

  it('notes a projection still behind when the time is up, and succeeds', async () => {
    const behind = (r: SeenRequest) =>
      r.url.origin === PROJECTION && r.url.pathname === '/api/pools/lab'
        ? { status: 200, body: { id: 'lab', version: 12 } }
        : undefined;
    const { fetch } = fakeServices(master, hostsAt(20, 20), behind);
    const result = await run(
      ['--pool', 'lab', '--timeout', '0.2', 'vm', 'start', 'web-1', '--on', 'a', '--wait'],
      fetch,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'poolctl: note: the projection shows version 12 of 20: list and show may lag a moment\n',
    );
  });

  it('skips the barrier when no host is enabled', async () => {
    const { fetch, seen } = fakeServices((r) =>
      isCommand(r) ? { status: 201, body: outcome({ enabledHosts: [] }) } : undefined,
    );
    const result = await run(['--pool', 'lab', 'vm', 'create', 'x', '--id', 'x', '--wait'], fetch);
    expect(result).toMatchObject({ code: 0, stdout: 'x\n' });
    expect(seen.filter(isCommand)).toHaveLength(1);
  });

  it('exits 3 with the hosts behind when the barrier times out', async () => {
    const { fetch } = fakeServices(
      (r) => {
        if (!isCommand(r)) return undefined;
        if (r.url.searchParams.get('wait') !== 'hosts') return { status: 200, body: started };
        return {
          status: 504,
          body: {
            statusCode: 504,
            code: 'CONVERGENCE_TIMEOUT',
            message:
              'The command was committed at version 20, but 1 host(s) had not applied it after 1000 ms: host-b.',
            details: { version: 20, behind: [{ host: 'host-b', appliedVersion: 19 }] },
          },
        };
      },
      hostsAt(20, 19),
    );
    const result = await run(
      ['--pool', 'lab', 'vm', 'start', 'web-1', '--on', 'host-a', '--wait'],
      fetch,
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('host-b. (CONVERGENCE_TIMEOUT)');
  });
});

describe('--wait timing out on a create', () => {
  /** The master commits with the pool-made id in the first event, then its barrier times out. */
  const committedThenBehind = (field: string, id: string) => (r: SeenRequest) => {
    if (!isCommand(r)) return undefined;
    if (r.url.searchParams.get('wait') === 'hosts') {
      return {
        status: 504,
        body: {
          code: 'CONVERGENCE_TIMEOUT',
          message: 'The command was committed at version 9, but 1 host(s) had not applied it.',
        },
      };
    }
    const events = [{ type: 'Created', version: 9, data: { [field]: id } }];
    return { status: 201, body: outcome({ version: 9, enabledHosts: ['host-a'], events }) };
  };

  it.each([
    [['pool', 'create', 'lab2'], 'poolId', 'lab2'],
    [
      ['host', 'join', 'host-c', '--address', 'h', '--pif', 'device=eth0,mac=m'],
      'hostId',
      'host-c',
    ],
    [['bond', 'create', 'host-a', 'bond0', '--members', 'eth1,eth2'], 'bondId', 'b-1'],
    [['network', 'create', 'backend', '--private'], 'networkId', 'n-1'],
    [['vm', 'create', 'web'], 'vmId', 'v-1'],
    [['vif', 'create', 'web-1', '--network', 'prod'], 'vifId', 'f-1'],
    [
      ['acl', 'add', '--vif', 'f', '--direction', 'to-vm', '--priority', '1', '--action', 'drop'],
      'ruleId',
      'r-1',
    ],
    [['mirror', 'create', '--vif', 'f', '--to', 'g'], 'mirrorId', 'm-1'],
  ])('%j prints the id it created, then fails with exit 3', async (argv, field, id) => {
    const { fetch } = fakeServices(committedThenBehind(field, id));
    const result = await run(['--pool', 'lab', ...argv, '--wait'], fetch);
    expect(result).toEqual({
      code: 3,
      stdout: `${id}\n`,
      stderr:
        'poolctl: The command was committed at version 9, but 1 host(s) had not applied it. ' +
        '(CONVERGENCE_TIMEOUT)\n',
    });
  });

  it('prints the id in JSON too, with the committed outcome', async () => {
    const { fetch } = fakeServices(committedThenBehind('vmId', 'v-1'));
    const result = await run(
      ['--pool', 'lab', '-o', 'json', 'vm', 'create', 'web', '--wait'],
      fetch,
    );
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: 'v-1', version: 9, duplicate: false });
  });

  it('prints nothing on stdout when the verb created nothing', async () => {
    const { fetch } = fakeServices(committedThenBehind('vmId', 'web-1'));
    const result = await run(['--pool', 'lab', 'vm', 'stop', 'web-1', '--wait'], fetch);
    expect(result).toMatchObject({ code: 3, stdout: '' });
  });
});

describe('vm migrate --wait', () => {
  const requested = outcome({
    version: 30,
    events: [
      {
        type: 'MigrationRequested',
        version: 30,
        data: { migrationId: 'm1', vmId: 'web-1', fromHostId: 'host-a', toHostId: 'host-b' },
      },
    ],
  });
  const event = (version: number, type: string, data: object) => ({
    id: `e${version}`,
    pool: 'lab',
    version,
    position: `0:0:${version}`,
    type,
    schemaVersion: 1,
    data,
    metadata: {},
    createdAt: '2026-01-01T00:00:00.000Z',
  });

  /** The log after the request, revealed one page per poll. */
  const saga = (last: ReturnType<typeof event>) => {
    const pages = [
      [],
      [
        event(31, 'VmStarted', { vmId: 'other' }),
        event(32, 'MigrationPrepared', { migrationId: 'm1', vmId: 'web-1' }),
      ],
      [event(33, 'MigrationActivated', { migrationId: 'm1', vmId: 'web-1' })],
      [last],
    ];
    let poll = 0;
    return (r: SeenRequest) => {
      if (isCommand(r)) return { status: 201, body: requested };
      if (r.url.pathname !== '/pools/lab/events') return undefined;
      const after = Number(r.url.searchParams.get('after'));
      const events = (pages[Math.min(poll++, pages.length - 1)] ?? []).filter(
        (e) => e.version > after,
      );
      return { status: 200, body: { pool: 'lab', events, next: events.at(-1)?.version ?? after } };
    };
  };

  it('follows the saga to Completed', async () => {
    const completed = event(34, 'MigrationCompleted', { migrationId: 'm1', vmId: 'web-1' });
    const { fetch, seen } = fakeServices(saga(completed));
    const result = await run(
      ['--pool', 'lab', 'vm', 'migrate', 'web-1', '--to', 'host-b', '--id', 'm1', '--wait'],
      fetch,
      { tty: true },
    );
    expect(result).toMatchObject({ code: 0, stdout: 'm1 completed\n' });
    expect(result.stderr).toContain('3/3 steps completed');
    expect(
      seen.find((r) => r.url.pathname.endsWith('/events'))!.url.searchParams.get('after'),
    ).toBe('30');
  });

  it('exits 5 with the reason when the migration aborts, JSON on stdout', async () => {
    const aborted = event(34, 'MigrationAborted', {
      migrationId: 'm1',
      vmId: 'web-1',
      reason: 'target never became ready',
    });
    const { fetch } = fakeServices(saga(aborted));
    const result = await run(
      [
        '--pool',
        'lab',
        '-o',
        'json',
        'vm',
        'migrate',
        'web-1',
        '--to',
        'host-b',
        '--id',
        'm1',
        '--wait',
      ],
      fetch,
    );
    expect(result.code).toBe(5);
    expect(result.stderr).toBe(
      'poolctl: migration m1 of VM web-1 was aborted: target never became ready (MIGRATION_ABORTED)\n',
    );
    expect(JSON.parse(result.stdout)).toMatchObject({
      id: 'm1',
      migration: {
        id: 'm1',
        status: 'aborted',
        reason: 'target never became ready',
        versions: { requested: 30, prepared: 32, activated: 33, aborted: 34 },
      },
    });
  });

  it('exits 3 when the migration outlasts --timeout', async () => {
    const { fetch } = fakeServices((r) => {
      if (r.url.origin === PROJECTION) return 'refuse';
      if (isCommand(r)) return { status: 201, body: requested };
      return { status: 200, body: { pool: 'lab', events: [], next: 30 } };
    });
    const result = await run(
      ['--pool', 'lab', '--timeout', '0.05', 'vm', 'migrate', 'web-1', '--to', 'host-b', '--wait'],
      fetch,
    );
    expect(result.code).toBe(3);
    // The migration goes on: its id (from the master's MigrationRequested) and the step it
    // reached, for a script to follow it.
    expect(result.stdout).toBe('m1 requested\n');
    expect(result.stderr).toContain('is still requested after');
    expect(result.stderr).toContain(
      'the projection, which coordinates migrations, is not reachable at http://projection.test (MIGRATION_TIMEOUT)',
    );
  });
});
