import type { HostReport } from '@pool/contracts';
import { createEventStorePool, PostgresEventStore } from '@pool/event-store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../test/support/databases.js';
import { createTestNats } from '../../../../test/support/nats.js';
import { CHANGES_CHANNEL } from '../read-models/read-model-store.js';
import { ScriptedPool } from '../read-models/testing/scripted-pool.js';
import { applyHostReport, parseHostReport } from './host-report-writer.js';
import { HostReportsConsumer } from './host-reports.consumer.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: pg.Pool;

const report = (over: Partial<HostReport> = {}): HostReport => ({
  pool: 'p1',
  host: 'h1',
  appliedVersion: 3,
  digest: 'd3',
  at: '2025-05-06T07:08:09.000Z',
  ports: [{ vif: 'v1', ready: true, forwarding: false }],
  ...over,
});

const status = async () =>
  (
    await db.query(
      `SELECT applied_version::int AS applied, digest, drift, report_seq::int AS seq
         FROM rm_host_status WHERE pool_id = 'p1' AND host_id = 'h1'`,
    )
  ).rows[0];

beforeAll(async () => {
  database = await createTestDatabase();
  db = createEventStorePool({ connectionString: database.url, max: 4 });
  const pool = new ScriptedPool('p1');
  pool.run('CreatePool', { poolId: 'p1', name: 'p1' });
  for (const n of ['a', 'b', 'c', 'd']) {
    pool.run('CreateNetwork', { networkId: n, name: n, purpose: 'vm', kind: 'private' });
  }
  await pool.flush(new PostgresEventStore(db)); // head version 5
});

afterAll(async () => {
  await db.end();
  await database.drop();
});

describe('host reports', () => {
  it('upserts status, replaces ports, counts drift once and skips older reports', async () => {
    const first = await applyHostReport(
      db,
      report({ drift: [{ kind: 'port', object: 'v1', repaired: true }] }),
      10,
    );
    expect(first).toEqual({ applied: true, appliedVersion: 3, lagEvents: 2 });
    expect(await status()).toEqual({ applied: 3, digest: 'd3', drift: 1, seq: 10 });

    // The same message again (a redelivery) and an older one change nothing.
    expect(
      await applyHostReport(
        db,
        report({ drift: [{ kind: 'x', object: 'y', repaired: true }] }),
        10,
      ),
    ).toEqual({ applied: false });
    expect(await applyHostReport(db, report({ appliedVersion: 1 }), 9)).toEqual({ applied: false });
    expect(await status()).toEqual({ applied: 3, digest: 'd3', drift: 1, seq: 10 });

    const newer = await applyHostReport(
      db,
      report({
        appliedVersion: 5,
        digest: 'd5',
        ports: [
          { vif: 'v2', ready: true, forwarding: true, device: 'vnet4' },
          { vif: 'v3', ready: true, forwarding: false, plugged: false },
        ],
        drift: [{ kind: 'port', object: 'v2', repaired: true }],
        counters: [{ port: 'v2', rxPackets: 1, txPackets: 2, rxBytes: 3, txBytes: 4 }],
      }),
      11,
    );
    expect(newer).toEqual({ applied: true, appliedVersion: 5, lagEvents: 0 });
    expect(await status()).toEqual({ applied: 5, digest: 'd5', drift: 2, seq: 11 });
    const { rows: ports } = await db.query(
      'SELECT vif_id, forwarding, plugged, device FROM rm_host_ports ORDER BY vif_id',
    );
    expect(ports).toEqual([
      { vif_id: 'v2', forwarding: true, plugged: true, device: 'vnet4' },
      { vif_id: 'v3', forwarding: false, plugged: false, device: null },
    ]);
    const { rows: counters } = await db.query('SELECT port, tx_bytes::int FROM rm_counters');
    expect(counters).toEqual([{ port: 'v2', tx_bytes: 4 }]);
  });

  it("replaces a host's counters with a full report's: ports it no longer has lose their row", async () => {
    const counter = (port: string, txBytes: number) => ({
      port,
      rxPackets: 1,
      txPackets: 1,
      rxBytes: 1,
      txBytes,
    });
    const counters = async () =>
      (
        await db.query(
          `SELECT port, tx_bytes::int FROM rm_counters WHERE host_id = 'h2' ORDER BY port`,
        )
      ).rows;
    const at = (s: number) => `2025-05-06T08:00:0${s}.000Z`;
    const h2 = (seq: number, over: Partial<HostReport>) =>
      applyHostReport(db, report({ host: 'h2', at: at(seq), ...over }), seq);
    await h2(1, { counters: [counter('pnv-a', 10), counter('pnv-b', 20)] });
    expect(await counters()).toEqual([
      { port: 'pnv-a', tx_bytes: 10 },
      { port: 'pnv-b', tx_bytes: 20 },
    ]);
    // The report after an applied event carries no counters: the rows stay.
    await h2(2, {});
    expect(await counters()).toHaveLength(2);
    // pnv-a's VM migrated away: the next full report lists pnv-b only.
    await h2(3, { counters: [counter('pnv-b', 25)] });
    expect(await counters()).toEqual([{ port: 'pnv-b', tx_bytes: 25 }]);
    // No port left on the host at all.
    await h2(4, { counters: [] });
    expect(await counters()).toEqual([]);
    // Another host's rows are its own.
    expect((await db.query(`SELECT port FROM rm_counters WHERE host_id = 'h1'`)).rows).toEqual([
      { port: 'v2' },
    ]);
  });

  it("replaces a host's overlay tunnels with each report's, and keeps them when a report has none", async () => {
    const tunnels = async () =>
      (
        await db.query(
          `SELECT network_id, vni, expected, applied, missing, unreachable FROM rm_host_tunnels
            WHERE host_id = 'h3' ORDER BY network_id`,
        )
      ).rows;
    const h3 = (seq: number, over: Partial<HostReport>) =>
      applyHostReport(
        db,
        report({ host: 'h3', at: `2025-05-06T09:00:0${seq}.000Z`, ...over }),
        seq,
      );
    await h3(1, {
      tunnels: [
        { network: 'a', vni: 1, expected: 2, applied: 2 },
        { network: 'b', vni: 2, expected: 2, applied: 1, missing: ['h2'], unreachable: ['h1'] },
      ],
    });
    expect(await tunnels()).toEqual([
      { network_id: 'a', vni: 1, expected: 2, applied: 2, missing: [], unreachable: [] },
      { network_id: 'b', vni: 2, expected: 2, applied: 1, missing: ['h2'], unreachable: ['h1'] },
    ]);
    await h3(2, {}); // a host too old to report tunnels: the rows stay
    expect(await tunnels()).toHaveLength(2);
    await h3(3, { tunnels: [{ network: 'b', vni: 2, expected: 1, applied: 1 }] });
    expect(await tunnels()).toEqual([
      { network_id: 'b', vni: 2, expected: 1, applied: 1, missing: [], unreachable: [] },
    ]);
    expect(() =>
      parseHostReport('r.p1.hosts.h1.reports', { ...report(), tunnels: 'none' }),
    ).toThrow('tunnels is not a list');
  });

  it('refuses a report whose pool or host differs from its subject, or that is malformed', () => {
    expect(() => parseHostReport('r.p1.hosts.h2.reports', report())).toThrow('do not match');
    expect(() =>
      parseHostReport('r.p1.hosts.h1.reports', { ...report(), appliedVersion: -1 }),
    ).toThrow('appliedVersion');
    expect(() => parseHostReport('r.p1.hosts.h1.reports', 'text')).toThrow('not a JSON object');
    expect(parseHostReport('r.p1.hosts.h1.reports', report())).toEqual(report());
  });

  it('consumes reports from JetStream through a durable consumer and notifies on commit', async () => {
    const nats = await createTestNats();
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    const notes: unknown[] = [];
    listener.on('notification', (n) => notes.push(JSON.parse(n.payload!)));
    await listener.query(`LISTEN ${CHANGES_CHANNEL}`);
    const abort = new AbortController();
    const outcomes: unknown[] = [];
    const malformed: string[] = [];
    const consumer = new HostReportsConsumer({
      db,
      subjectRoot: nats.root,
      stream: nats.reportsStream,
      durable: 'projection-test',
      onReport: (o) => outcomes.push(o),
      onMalformed: (subject) => malformed.push(subject),
    });
    const running = consumer.run(nats.nc, abort.signal);
    try {
      await until(
        async () => (await nats.jsm.streams.info(nats.reportsStream).catch(() => null)) !== null,
      );
      // A new stream starts at sequence 1: the later timestamp lets the report through.
      const at = new Date().toISOString();
      await nats.js.publish(
        `${nats.root}.p1.hosts.h1.reports`,
        JSON.stringify(report({ appliedVersion: 4, at })),
      );
      await nats.js.publish(`${nats.root}.p1.hosts.h1.reports`, 'not json');
      await nats.js.publish(
        `${nats.root}.p1.hosts.h3.reports`,
        JSON.stringify(report({ host: 'h3', appliedVersion: 2, at })),
      );
      await until(() => outcomes.length === 2 && malformed.length === 1);
      await until(() => notes.length === 2);
      expect(notes).toEqual([
        { type: 'host', pool: 'p1', hostId: 'h1', appliedVersion: 4, lagEvents: 1 },
        { type: 'host', pool: 'p1', hostId: 'h3', appliedVersion: 2, lagEvents: 3 },
      ]);
      expect((await status()).applied).toBe(4);
      const info = await nats.jsm.consumers.info(nats.reportsStream, 'projection-test');
      expect(info.num_ack_pending).toBe(0);
    } finally {
      abort.abort();
      await running;
      await listener.end();
      await nats.close();
    }
  });
});

async function until(check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
