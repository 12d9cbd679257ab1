/**
 * From a VM defined in poolnet to libvirt and back, on the memory datapath: poolctl prints the
 * domain XML for a VM's VIFs (through the master and the projection), the test pastes it into a
 * domain as the README says, and calls the shipped hook (deploy/libvirt/hooks/qemu) with the
 * arguments and stdin libvirt passes, on two member hosts: start, an incoming migration, the
 * source's stop after it, a shutdown. The log must record the commands each host's hook means,
 * with that host's NATS identity as the actor, and the hook must never fail libvirt.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { bridgeName } from '@pool/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPool, until, type TestPool } from './support/member-host-pool.js';
import { startProjection, waitForSaga, type ProjectionProcess } from './support/migration-pool.js';
import { runBuiltPoolctl } from './support/poolctl-cli.js';
import { freePort, ROOT } from '../support/processes.js';

const HOOK = `${ROOT}deploy/libvirt/hooks/qemu`;
const pool = `lvh-${randomUUID().slice(0, 8)}`;
const VIF = randomUUID();
const DOMAIN_UUID = randomUUID();
const MAC = '52:54:00:12:34:56';

let p: TestPool;
let projection: ProjectionProcess;
let dir: string;
let domainXml: string;

interface Logged {
  version: number;
  type: string;
  data: Record<string, unknown>;
  actor: unknown;
}

async function logSince(version: number): Promise<Logged[]> {
  const client = new pg.Client({ connectionString: p.db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{
      version: string;
      type: string;
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
    }>(
      `SELECT stream_version AS version, event_type AS type, data, metadata FROM es_events
        WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version`,
      [`pool:${pool}`, version],
    );
    return rows.map((r) => ({
      version: Number(r.version),
      type: r.type,
      data: r.data,
      actor: r.metadata.actor,
    }));
  } finally {
    await client.end();
  }
}

const head = async () => (await p.logState()).version;

interface HookRun {
  code: number | null;
  stdout: string;
  ms: number;
}

/** The hook as libvirt runs it: four arguments, the domain XML on stdin, a bare environment. */
function hook(host: string, args: string[], xml = domainXml, url?: string): Promise<HookRun> {
  const config = join(dir, `${host}.conf`);
  const began = Date.now();
  return writeFile(
    config,
    `POOLNET_MEMBER_HOST_URL=${url ?? p.hosts.get(host)!.base}\n` +
      `POOLNET_HOOK_LOG=${join(dir, 'hook.log')}\nPOOLNET_HOOK_TIMEOUT=3\n`,
  ).then(
    () =>
      new Promise((resolve, reject) => {
        const child = spawn(HOOK, args, {
          env: { PATH: process.env.PATH ?? '', POOLNET_HOOK_CONFIG: config },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.resume();
        child.once('error', reject);
        child.once('close', (code) => resolve({ code, stdout, ms: Date.now() - began }));
        child.stdin.end(xml);
      }),
  );
}

/** Runs the hook calls libvirt makes in order; every one exits 0 and prints nothing. */
async function libvirt(host: string, ...calls: string[][]): Promise<void> {
  for (const args of calls) {
    const run = await hook(host, ['web-guest', ...args]);
    expect(run, `${host} ${args.join(' ')}`).toMatchObject({ code: 0, stdout: '' });
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'poolnet-libvirt-hook-'));
  p = await startPool(pool);
  await p.ok('CreatePool', { poolId: pool, name: 'libvirt' });
  for (const name of ['h1', 'h2']) {
    await p.startHost(name);
    await until(async () => (await p.hosts.get(name)!.status()).member === true, `${name} joins`);
  }
  projection = await startProjection(p, { MIGRATION_TIMEOUT_MS: '10000' });
  await p.ok('CreateNetwork', {
    ...{ networkId: 'n10', name: 'n10', purpose: 'vm', kind: 'external' },
    ...{ device: 'eth0', vlan: 10, mtu: 1400 },
  });
  await p.ok('CreateVm', { vmId: 'web', name: 'web' });
  await p.ok('CreateVif', { vifId: VIF, vmId: 'web', device: 0, networkId: 'n10', mac: MAC });
}, 180_000);

afterAll(async () => {
  await p?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the libvirt hook, through the member host', () => {
  it("poolctl vm libvirt-xml prints the VM's metadata and interfaces", async () => {
    const env = {
      POOLNET_MASTER: p.masterBase(),
      POOLNET_PROJECTION: projection.base,
      POOLNET_POOL: pool,
    };
    // The projection reads the VIF once it has folded it.
    let run = await runBuiltPoolctl(['vm', 'libvirt-xml', 'web'], env);
    await until(async () => {
      run = await runBuiltPoolctl(['vm', 'libvirt-xml', 'web'], env);
      return run.code === 0;
    }, 'the projection to know the VM');
    expect(run.stdout).toContain(`<source bridge='${bridgeName('n10')}'/>`);
    expect(run.stdout).toContain(`<mac address='${MAC}'/>`);
    expect(run.stdout).toContain(
      `<virtualport type='openvswitch'>\n    <parameters interfaceid='${VIF}'/>`,
    );
    expect(run.stdout).toContain(`<mtu size='1400'/>`);
    expect(run.stdout).toContain(`pool='${pool}' id='web'/>`);
    const network = await runBuiltPoolctl(['network', 'show', 'n10'], env);
    expect(network.stdout).toMatch(new RegExp(`bridge:\\s+${bridgeName('n10')}\n`));
    const read = await fetch(`${projection.base}/api/pools/${pool}/networks/n10`);
    expect(await read.json()).toMatchObject({ id: 'n10', bridge: bridgeName('n10'), mtu: 1400 });

    // Pasted as the README says: the <metadata> element, the interfaces under <devices>.
    const metadata = /^<metadata>[\s\S]*?^<\/metadata>$/m.exec(run.stdout)![0];
    const interfaces = run.stdout.slice(run.stdout.indexOf('<interface'));
    domainXml =
      `<domain type='kvm'>\n  <name>web-guest</name>\n  <uuid>${DOMAIN_UUID}</uuid>\n` +
      `  ${metadata}\n  <memory unit='KiB'>1048576</memory>\n  <devices>\n${interfaces}\n` +
      '  </devices>\n</domain>\n';
  });

  it('start on h1 starts the VM there, as h1', async () => {
    const before = await head();
    await libvirt(
      'h1',
      ['prepare', 'begin', '-'],
      ['start', 'begin', '-'],
      ['started', 'begin', '-'],
    );
    const events = await logSince(before);
    expect(events.map((e) => [e.type, e.data, e.actor])).toEqual([
      ['VmStarted', { vmId: 'web', hostId: 'h1' }, 'nats:h1'],
    ]);
  });

  it('an incoming migration on h2 requests it, as h2; the source stopping after it changes nothing', async () => {
    const before = await head();
    await libvirt('h2', ['migrate', 'begin', '-']);
    const [requested] = await logSince(before);
    expect(requested).toMatchObject({
      type: 'MigrationRequested',
      data: { vmId: 'web', fromHostId: 'h1', toHostId: 'h2' },
      actor: 'nats:h2',
    });
    await waitForSaga(p, pool, requested!.data.migrationId as string, 'MigrationCompleted');
    await until(
      async () => (await p.hosts.get('h1')!.status()).version >= (await head()),
      'h1 to read the migration',
    );
    const after = await head();
    // libvirt's calls on the target as the guest's process starts, then on the source.
    await libvirt(
      'h2',
      ['prepare', 'begin', '-'],
      ['start', 'begin', '-'],
      ['started', 'begin', '-'],
    );
    await libvirt('h1', ['stopped', 'end', '-'], ['release', 'end', 'migrated']);
    expect(await logSince(after)).toEqual([]);
  });

  it('a shutdown on h2 stops the VM, as h2; a host cannot act for another', async () => {
    const before = await head();
    await libvirt('h2', ['stopped', 'end', '-'], ['release', 'end', 'shutdown']);
    const events = await logSince(before);
    expect(events.map((e) => [e.type, e.data, e.actor])).toEqual([
      ['VmStopped', { vmId: 'web', hostId: 'h2' }, 'nats:h2'],
    ]);
    // Over NATS directly: a host's subject with another host's id is refused by the master.
    const reply = await p.nats.nc.request(
      `${p.nats.root}.${pool}.cmd.host.h1.StartVm`,
      JSON.stringify({ data: { vmId: 'web', hostId: 'h2' } }),
      { timeout: 10_000 },
    );
    expect(reply.json()).toMatchObject({ ok: false, error: { status: 403, code: 'FORBIDDEN' } });
    expect(await logSince(before)).toHaveLength(1);
  });

  it('never fails libvirt: a member host away, or no domain XML, is logged and exits 0', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const away = await hook('h1', ['web-guest', 'started', 'begin', '-'], domainXml, closed);
    expect(away).toMatchObject({ code: 0, stdout: '' });
    expect(away.ms).toBeLessThan(4_000);
    const garbage = await hook('h1', ['web-guest', 'reconnect', 'begin', '-'], 'not xml');
    expect(garbage).toMatchObject({ code: 0, stdout: '' });
    const log = await readFile(join(dir, 'hook.log'), 'utf8');
    expect(log).toMatch(/web-guest started begin -: .*(Failed to connect|Couldn't connect)/);
    expect(log).toMatch(/web-guest reconnect begin -: .*BAD_DOMAIN_XML.*\(HTTP 400\)/);
    expect(log).toMatch(/web-guest migrate begin -: .*"outcome":"sent".*RequestMigration/);
  });
});
