import type { CommandReply, HostReport } from '@pool/contracts';
import {
  decidePool,
  evolvePool,
  initialPoolState,
  poolStreamId,
  type PoolCommand,
  type PoolEvent,
} from '@pool/domain';
import type { RecordedEvent } from '@pool/event-store';
import { describe, expect, it } from 'vitest';
import { MigrationCoordinator } from './coordinator.js';

const POOL = 'p1';
const TIMEOUT = 5_000;

/**
 * The master, in memory: decides with the real domain, numbers the events, remembers command
 * ids (a repeated id writes nothing), and keeps the log the coordinator reads.
 */
class FakeMaster {
  state = initialPoolState();
  readonly log: RecordedEvent[] = [];
  readonly sent: { type: string; commandId: string; data: Record<string, unknown> }[] = [];
  readonly seen = new Map<string, number>();
  clock = 1_000_000;
  failNext = 0;

  run(type: string, data: object): number {
    const command = { type, data, metadata: { now: new Date(this.clock).toISOString() } };
    const events = decidePool(command as unknown as PoolCommand, this.state);
    for (const event of events) this.append(event);
    return this.log.length;
  }

  send = (
    _pool: string,
    type: string,
    commandId: string,
    data: Record<string, unknown>,
  ): Promise<CommandReply> => {
    this.sent.push({ type, commandId, data });
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error('TimeoutError'));
    }
    const known = this.seen.get(commandId);
    if (known !== undefined) return Promise.resolve(this.reply(commandId, known, [], true));
    try {
      const before = this.log.length;
      this.run(type, data);
      this.seen.set(commandId, this.log.length);
      return Promise.resolve(this.reply(commandId, this.log.length, this.log.slice(before), false));
    } catch (error) {
      const { code = 'ERROR', message } = error as { code?: string; message: string };
      return Promise.resolve({ ok: false, error: { status: 409, code, message } });
    }
  };

  private reply(
    commandId: string,
    version: number,
    events: RecordedEvent[],
    duplicate: boolean,
  ): CommandReply {
    return {
      ok: true,
      result: {
        pool: POOL,
        commandId,
        version,
        firstVersion: (events[0]?.streamVersion ?? version) + (events.length ? 0 : 1),
        events: events.map((e) => ({ type: e.type, version: e.streamVersion, data: e.data })),
        duplicate,
        enabledHosts: [],
      },
    };
  }

  private append(event: PoolEvent): void {
    evolvePool(this.state, event);
    const version = this.log.length + 1;
    this.log.push({
      eventId: `e${version}`,
      streamId: poolStreamId(POOL),
      streamVersion: version,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data,
      metadata: {},
      position: { epoch: 0, transactionId: String(version), globalPosition: String(version) },
      createdAt: new Date(this.clock).toISOString(),
    });
  }
}

const pif = { device: 'eth0', mac: '00:16:3e:00:00:01', mtu: 1500, speedMbps: 1000, carrier: true };

/** h1 and h2, a VLAN network, vm1 with two VIFs running on h1, and a migration to h2. */
function pool(): { master: FakeMaster; requested: number } {
  const master = new FakeMaster();
  master.run('CreatePool', { poolId: POOL, name: 'p' });
  for (const hostId of ['h1', 'h2']) {
    const data = { hostId, name: hostId, address: hostId, pifs: [pif], managementDevice: 'eth0' };
    master.run('JoinHost', data);
  }
  master.run('CreateNetwork', {
    networkId: 'n',
    name: 'n',
    purpose: 'vm',
    kind: 'external',
    device: 'eth0',
    vlan: 10,
  });
  master.run('CreateVm', { vmId: 'vm1', name: 'vm1' });
  master.run('CreateVif', { vifId: 'a', vmId: 'vm1', device: 0, networkId: 'n' });
  master.run('CreateVif', { vifId: 'b', vmId: 'vm1', device: 1, networkId: 'n' });
  master.run('StartVm', { vmId: 'vm1', hostId: 'h1' });
  const requested = master.run('RequestMigration', {
    migrationId: 'm1',
    vmId: 'vm1',
    toHostId: 'h2',
  });
  return { master, requested };
}

type Port = 'pending' | 'forwarding';
const report = (host: string, appliedVersion: number, ports: Record<string, Port>): HostReport => ({
  pool: POOL,
  host,
  appliedVersion,
  digest: '',
  at: '',
  ports: Object.entries(ports).map(([vif, state]) => ({
    vif,
    ready: true,
    forwarding: state === 'forwarding',
  })),
});

function coordinatorFor(master: FakeMaster) {
  const warnings: string[] = [];
  const coordinator = new MigrationCoordinator({
    send: master.send,
    timeoutMs: TIMEOUT,
    now: () => master.clock,
    retryMs: 100,
    log: { log: () => undefined, warn: (m) => warnings.push(m) },
  });
  return { coordinator, warnings };
}

const types = (master: FakeMaster) => master.sent.map((s) => s.type);
const status = (master: FakeMaster) => master.state.migrations.get('m1')?.status ?? 'gone';

describe('MigrationCoordinator', () => {
  it('drives a migration to completion, activating only after the source let go', async () => {
    const { master, requested } = pool();
    const { coordinator } = coordinatorFor(master);
    coordinator.onLog(master.log, true);
    coordinator.onReport(report('h1', requested, { a: 'forwarding', b: 'forwarding' }));
    coordinator.onReport(report('h2', requested - 1, { a: 'pending', b: 'pending' }));
    await coordinator.idle();
    expect(master.sent).toEqual([]); // the target's readiness predates the request

    coordinator.onReport(report('h2', requested, { a: 'pending', b: 'pending' }));
    await coordinator.idle();
    expect(master.sent).toEqual([
      { type: 'PrepareMigration', commandId: 'migration:m1:prepare', data: { migrationId: 'm1' } },
    ]);
    const prepared = master.log.length;
    // Folded from the reply: no log read was needed to know `prepared`'s version.
    expect(coordinator.pool(POOL)?.version).toBe(prepared);

    // The target applied prepared, but the source has not: no activation.
    coordinator.onReport(report('h2', prepared, { a: 'pending', b: 'pending' }));
    coordinator.onReport(report('h1', prepared - 1, { a: 'forwarding', b: 'forwarding' }));
    coordinator.tick();
    await coordinator.idle();
    expect(types(master)).toEqual(['PrepareMigration']);

    coordinator.onReport(report('h1', prepared, { a: 'pending', b: 'pending' }));
    await coordinator.idle();
    expect(types(master)).toEqual(['PrepareMigration', 'ActivateMigration']);
    const activated = master.log.length;

    coordinator.onReport(report('h2', activated, { a: 'forwarding', b: 'forwarding' }));
    await coordinator.idle();
    expect(types(master)).toHaveLength(2); // the source still holds its ports
    coordinator.onReport(report('h1', activated, {}));
    await coordinator.idle();
    expect(types(master)).toEqual(['PrepareMigration', 'ActivateMigration', 'CompleteMigration']);
    expect(status(master)).toBe('gone');
    expect(master.state.vms.get('vm1')?.residentHostId).toBe('h2');

    // The log reader sees the same events later and skips them.
    coordinator.onLog(master.log, true);
    expect(coordinator.pool(POOL)?.version).toBe(master.log.length);
  });

  it('resumes half-way from the log and the last reports, as a restarted coordinator does', async () => {
    const { master } = pool();
    master.run('PrepareMigration', { migrationId: 'm1' });
    const prepared = master.log.length;
    const { coordinator } = coordinatorFor(master);
    // The last reports arrive before the log is read to its end: nothing is decided yet.
    coordinator.onReport(report('h1', prepared, { a: 'pending', b: 'pending' }));
    coordinator.onReport(report('h2', prepared, { a: 'pending', b: 'pending' }));
    coordinator.onLog(master.log.slice(0, 5), false);
    await coordinator.idle();
    expect(master.sent).toEqual([]);
    coordinator.onLog(master.log.slice(5), true);
    await coordinator.idle();
    expect(types(master)).toEqual(['ActivateMigration']);
  });

  it('aborts a step that outlives the timeout, and says why', async () => {
    const { master, requested } = pool();
    const { coordinator, warnings } = coordinatorFor(master);
    coordinator.onLog(master.log, true);
    coordinator.onReport(report('h1', requested, { a: 'forwarding', b: 'forwarding' }));
    master.clock += TIMEOUT - 1;
    coordinator.tick();
    await coordinator.idle();
    expect(master.sent).toEqual([]);
    master.clock += 1;
    coordinator.tick();
    await coordinator.idle();
    expect(master.sent).toEqual([
      {
        type: 'AbortMigration',
        commandId: 'migration:m1:abort',
        data: { migrationId: 'm1', reason: expect.stringContaining('timed out') },
      },
    ]);
    expect(status(master)).toBe('gone');
    expect(master.state.vms.get('vm1')?.residentHostId).toBe('h1');
    expect(warnings.join('\n')).toMatch(/aborting, timed out after 5000 ms waiting for host h2/);
  });

  it('aborts when the target host is disabled', async () => {
    const { master, requested } = pool();
    const { coordinator } = coordinatorFor(master);
    coordinator.onLog(master.log, true);
    master.run('DisableHost', { hostId: 'h2' });
    coordinator.onLog(master.log.slice(requested), true);
    await coordinator.idle();
    expect(types(master)).toEqual(['AbortMigration']);
    expect(master.sent[0]?.data.reason).toBe('target host h2 was disabled');
  });

  it('retries a command that got no reply, with the same id, once per retry delay', async () => {
    const { master, requested } = pool();
    const { coordinator } = coordinatorFor(master);
    coordinator.onLog(master.log, true);
    master.failNext = 1;
    coordinator.onReport(report('h2', requested, { a: 'pending', b: 'pending' }));
    await coordinator.idle();
    coordinator.tick();
    await coordinator.idle();
    expect(types(master)).toEqual(['PrepareMigration']); // not before the retry delay
    master.clock += 100;
    coordinator.tick();
    await coordinator.idle();
    expect(master.sent.map((s) => s.commandId)).toEqual([
      'migration:m1:prepare',
      'migration:m1:prepare',
    ]);
    expect(status(master)).toBe('prepared');
  });

  it('sends nothing more for a step whose events it has not folded yet', async () => {
    const { master, requested } = pool();
    const { coordinator } = coordinatorFor(master);
    coordinator.onLog(master.log, true);
    // Another command lands first, so the reply's events do not follow what the coordinator has.
    master.run('CreateVm', { vmId: 'other', name: 'other' });
    coordinator.onReport(report('h2', requested, { a: 'pending', b: 'pending' }));
    await coordinator.idle();
    master.clock += 1000;
    coordinator.tick();
    coordinator.tick();
    await coordinator.idle();
    expect(types(master)).toEqual(['PrepareMigration']);
    coordinator.onLog(master.log.slice(requested), true);
    expect(coordinator.pool(POOL)?.state.migrations.get('m1')?.status).toBe('prepared');
  });
});
