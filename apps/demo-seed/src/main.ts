/**
 * Seeds the demo pool: creates it, waits for its member hosts to join, then configures networks,
 * VMs and ACLs (see demo-pool.ts). A one-shot: exits 0 when the pool is seeded (or already was).
 * Settings: MASTER_URL, POOL_ID (demo), POOL_HOSTS (host-1,host-2,host-3), POOLNET_TOKEN,
 * SEED_TIMEOUT_MS.
 */
import { demoPoolSteps } from './demo-pool.js';
import { SeedClient, sleep } from './seed-client.js';

const master = process.env.MASTER_URL ?? 'http://127.0.0.1:3000';
const pool = process.env.POOL_ID ?? 'demo';
const hosts = (process.env.POOL_HOSTS ?? 'host-1,host-2,host-3').split(',').filter(Boolean);
const timeoutMs = Number(process.env.SEED_TIMEOUT_MS ?? 180_000);
const client = new SeedClient(master, process.env.POOLNET_TOKEN);
const say = (message: string) => console.log(`demo-seed: ${message}`);

async function seed(): Promise<void> {
  await client.waitHealthy(timeoutMs);
  const created = await client.send(
    'POST',
    '/pools',
    { poolId: pool, name: 'Demo pool' },
    `seed-${pool}-pool`,
  );
  if (created.status >= 400 && created.status !== 409) throw refused('create the pool', created);
  if ((await client.poolLog(pool))?.types.has('VmStarted')) {
    say(`pool ${pool} is already seeded`);
    return;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const joined = (await client.poolLog(pool))?.hosts ?? new Set<string>();
    const missing = hosts.filter((h) => !joined.has(h));
    if (missing.length === 0) break;
    if (Date.now() > deadline) throw new Error(`hosts never joined: ${missing.join(', ')}`);
    say(`waiting for ${missing.join(', ')} to join`);
    await sleep(2_000);
  }
  for (const step of demoPoolSteps(pool, hosts)) {
    const reply = await client.send(step.method, step.path, step.body, `seed-${pool}-${step.key}`);
    if (reply.status >= 400) throw refused(step.key, reply);
  }
  say(`pool ${pool} seeded: ${hosts.length} hosts, 4 networks, 5 VMs`);
}

const refused = (
  what: string,
  reply: { status: number; body: { code?: string; message?: string } },
) =>
  new Error(
    `could not ${what}: HTTP ${reply.status} ${reply.body.code ?? ''} ${reply.body.message ?? ''}`,
  );

try {
  await seed();
} catch (error) {
  console.error(`demo-seed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
