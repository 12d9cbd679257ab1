/**
 * Seeds the demo pool: creates it, waits for its member hosts to join, then configures networks,
 * VMs and ACLs (see demo-pool.ts). A one-shot: exits 0 when the pool is seeded (or already was)
 * and, with PROJECTION_URL, once every host has applied the log's head, so whoever started it
 * can say the pool is ready. Settings: MASTER_URL, PROJECTION_URL, POOL_ID (demo), POOL_HOSTS
 * (host-1,host-2,host-3), POOLNET_TOKEN, SEED_TIMEOUT_MS.
 */
import { demoPoolSteps } from './demo-pool.js';
import { hostsBehind, SeedClient, sleep } from './seed-client.js';

const master = process.env.MASTER_URL ?? 'http://127.0.0.1:3000';
const projection = process.env.PROJECTION_URL;
const pool = process.env.POOL_ID ?? 'demo';
const hosts = (process.env.POOL_HOSTS ?? 'host-1,host-2,host-3').split(',').filter(Boolean);
const timeoutMs = Number(process.env.SEED_TIMEOUT_MS ?? 180_000);
const token = process.env.POOLNET_TOKEN;
const client = new SeedClient(master, token);
const say = (message: string) => console.log(`demo-seed: ${message}`);
/** Says a progress line unless it is the one said last; returns the line said last. */
const sayOnce = (message: string, last: string) => {
  if (message !== last) say(message);
  return message;
};

async function seed(deadline: number): Promise<void> {
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
  let said = '';
  for (;;) {
    const joined = (await client.poolLog(pool))?.hosts ?? new Set<string>();
    const missing = hosts.filter((h) => !joined.has(h));
    if (missing.length === 0) break;
    if (Date.now() > deadline) throw new Error(`hosts never joined: ${missing.join(', ')}`);
    said = sayOnce(`waiting for ${missing.join(', ')} to join`, said);
    await sleep(1_000);
  }
  for (const step of demoPoolSteps(pool, hosts)) {
    const reply = await client.send(step.method, step.path, step.body, `seed-${pool}-${step.key}`);
    if (reply.status >= 400) throw refused(step.key, reply);
  }
  say(`pool ${pool} seeded: ${hosts.length} hosts, 4 networks, 5 VMs`);
}

/** Waits until every host has applied the log's head, saying which ones it waits for. */
async function converged(projection: string, deadline: number): Promise<void> {
  let said = '';
  for (;;) {
    const behind = await hostsBehind(projection, pool, hosts, token);
    if (behind.length === 0) break;
    if (Date.now() > deadline)
      throw new Error(`hosts never reached the head: ${behind.join(', ')}`);
    said = sayOnce(`waiting for ${behind.join(', ')} to apply the log's head`, said);
    await sleep(500);
  }
  say(`every host of pool ${pool} has applied the log's head`);
}

const refused = (
  what: string,
  reply: { status: number; body: { code?: string; message?: string } },
) =>
  new Error(
    `could not ${what}: HTTP ${reply.status} ${reply.body.code ?? ''} ${reply.body.message ?? ''}`,
  );

try {
  const deadline = Date.now() + timeoutMs;
  await seed(deadline);
  if (projection) await converged(projection, deadline);
} catch (error) {
  console.error(`demo-seed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
