/**
 * The live dashboard in headless Chromium against the real stack: a pool master, the projection
 * and three member hosts on the memory datapath, all built processes over the suite's own
 * database and NATS subject root. The pool is seeded over the master's REST API; the page must
 * show it, then follow a new VM and a migration through the pool's event stream without ever
 * reloading (`window.__loadId` is set once per load). Leaves a full-page screenshot in
 * `test-artifacts/dashboard.png`.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/databases.js';
import { createTestNats } from '../support/nats.js';
import { startPoolMasterProcess } from '../support/pool-master-process.js';
import {
  freePort,
  killStarted,
  ROOT,
  start,
  waitForHealthy,
  type Running,
} from '../support/processes.js';
import { natsUrl } from '../support/services.js';
import { until } from './support/member-host-pool.js';

/** Only inside callbacks that run in the page (this repository's tsconfig has no DOM lib). */
declare const document: {
  querySelector(selector: string): { textContent: string | null } | null;
};

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');
const SCREENSHOT = join(ARTIFACTS, 'dashboard.png');
const pool = `dash-${randomUUID().slice(0, 8)}`;
/** h-a and h-b have a NIC per traffic type; h-c has one NIC for everything. */
const HOSTS: Record<string, string> = {
  'h-a': 'eth0,eth1,eth2',
  'h-b': 'eth0,eth1,eth2',
  'h-c': 'eth0',
};
/** Chromium and the apps share two cores with other suites: waits are generous. */
const UI_TIMEOUT_MS = 45_000;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
let master: string;
let projection: string;
let projectionApp: Running;
let stateRoot: string;
let browser: Browser;
let page: Page;
const memberHosts = new Map<string, Running>();
const consoleErrors: string[] = [];
const foreignRequests: string[] = [];
let loadId: string;

/** A command over the master's REST API; fails the test on anything but 2xx. */
async function rest(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${master}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return text === '' ? null : JSON.parse(text);
}
const inPool = (method: string, path: string, body?: unknown) =>
  rest(method, `/pools/${pool}${path}?wait=hosts&timeoutMs=20000`, body);

async function startMemberHost(name: string, devices: string): Promise<void> {
  const port = await freePort();
  const running = start('member-host', {
    NATS_URL: natsUrl(),
    SUBJECT_ROOT: nats.root,
    EVENTS_STREAM: nats.eventsStream,
    REPORTS_STREAM: nats.reportsStream,
    POOL_ID: pool,
    HOST_NAME: name,
    HOST_ADDRESS: `${name}.lab`,
    PIF_DEVICES: devices,
    MANAGEMENT_DEVICE: 'eth0',
    PORT: String(port),
    HOST: '127.0.0.1',
    STATE_DIR: join(stateRoot, name),
    REPORT_INTERVAL_MS: '1000',
  });
  memberHosts.set(name, running);
  const base = `http://127.0.0.1:${port}`;
  await waitForHealthy(base, running, 30_000);
  await until(
    async () =>
      ((await (await fetch(`${base}/status`)).json()) as { member?: boolean }).member === true,
    `${name} to join`,
  );
}

async function seedPool(): Promise<void> {
  for (const host of ['h-a', 'h-b']) {
    await inPool('PUT', `/hosts/${host}/pifs/eth1`, { role: 'vm', mtu: 9000 });
    await inPool('PUT', `/hosts/${host}/pifs/eth2`, { role: 'storage', mtu: 9000 });
  }
  const network = (body: object) => inPool('POST', '/networks', body);
  await network({
    networkId: 'prod',
    name: 'prod-vlan-100',
    kind: 'external',
    device: 'eth1',
    vlan: 100,
    purpose: 'vm',
    mtu: 9000,
  });
  await network({
    networkId: 'storage',
    name: 'storage',
    kind: 'external',
    device: 'eth2',
    purpose: 'storage',
    mtu: 9000,
  });
  await network({
    networkId: 'mgmt-vms',
    name: 'ops-vlan-20',
    kind: 'external',
    device: 'eth0',
    vlan: 20,
    purpose: 'vm',
  });
  await network({ networkId: 'backplane', name: 'backplane', kind: 'private', purpose: 'vm' });

  const vm = async (
    id: string,
    vifs: { networkId: string; mac: string; ipv4?: string }[],
    host?: string,
  ) => {
    await inPool('POST', '/vms', { vmId: id, name: id });
    for (const [device, vif] of vifs.entries()) {
      await inPool('POST', `/vms/${id}/vifs`, { vifId: `${id}-${device}`, device, ...vif });
    }
    if (host) await inPool('POST', `/vms/${id}/start`, { hostId: host });
  };
  await vm(
    'web-1',
    [
      { networkId: 'prod', mac: '02:00:00:00:01:01', ipv4: '10.100.0.11' },
      { networkId: 'backplane', mac: '02:00:00:00:03:01', ipv4: '172.16.0.11' },
    ],
    'h-a',
  );
  await vm('web-2', [{ networkId: 'prod', mac: '02:00:00:00:01:02', ipv4: '10.100.0.12' }], 'h-b');
  await vm(
    'db-1',
    [
      { networkId: 'prod', mac: '02:00:00:00:01:21', ipv4: '10.100.0.21' },
      { networkId: 'storage', mac: '02:00:00:00:02:21', ipv4: '192.168.50.21' },
    ],
    'h-b',
  );
  await vm(
    'ops-1',
    [{ networkId: 'mgmt-vms', mac: '02:00:00:00:20:01', ipv4: '10.20.0.5' }],
    'h-c',
  );
  await vm('lb-1', [{ networkId: 'backplane', mac: '02:00:00:00:03:02', ipv4: '172.16.0.2' }]);

  const acl = (body: object) => inPool('POST', '/acls', body);
  const onProd = { kind: 'network', networkId: 'prod' };
  await acl({
    ruleId: 'ssh-drop',
    scope: onProd,
    direction: 'ingress',
    priority: 100,
    match: { protocol: 'tcp', portFrom: 22 },
    action: 'drop',
  });
  await acl({
    ruleId: 'ssh-ops',
    scope: onProd,
    direction: 'ingress',
    priority: 200,
    match: { protocol: 'tcp', cidr: '10.0.0.0/8', portFrom: 22 },
    action: 'allow',
  });
  await acl({
    ruleId: 'pg',
    scope: { kind: 'vif', vifId: 'db-1-0' },
    direction: 'ingress',
    priority: 500,
    match: { protocol: 'tcp', cidr: '10.100.0.0/24', portFrom: 5432 },
    action: 'allow',
  });
}

/** Waits until `selector`'s text contains every string. */
async function shows(selector: string, ...texts: string[]): Promise<void> {
  await page
    .waitForFunction(
      ({ selector, texts }) => {
        const text = document.querySelector(selector)?.textContent ?? '';
        return texts.every((t) => text.includes(t));
      },
      { selector, texts },
      { timeout: UI_TIMEOUT_MS, polling: 200 },
    )
    .catch(async (err: unknown) => {
      const text = await page
        .locator(selector)
        .first()
        .textContent({ timeout: 1_000 })
        .catch(() => null);
      throw new Error(
        `${selector} never showed ${JSON.stringify(texts)}; it shows: ${text}\n${String(err)}\n--- projection ---\n${projectionApp.output().slice(-3000)}`,
      );
    });
}

const currentLoadId = () =>
  page.evaluate(() => (globalThis as unknown as { __loadId?: string }).__loadId);

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await createTestNats();
  stateRoot = await mkdtemp(join(tmpdir(), 'poolnet-dashboard-'));
  master = (await startPoolMasterProcess(db.url, nats)).base;
  await rest('POST', '/pools', { poolId: pool, name: 'Production' });
  await Promise.all(Object.entries(HOSTS).map(([name, devices]) => startMemberHost(name, devices)));
  await seedPool();

  const port = await freePort();
  projectionApp = start('projection', {
    DATABASE_URL: db.url,
    NATS_URL: natsUrl(),
    SUBJECT_ROOT: nats.root,
    EVENTS_STREAM: nats.eventsStream,
    REPORTS_STREAM: nats.reportsStream,
    PORT: String(port),
    HOST: '127.0.0.1',
  });
  projection = `http://127.0.0.1:${port}`;
  await waitForHealthy(projection, projectionApp, 30_000);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, colorScheme: 'dark' });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  page.on('request', (request) => {
    if (!request.url().startsWith(projection)) foreignRequests.push(request.url());
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  killStarted();
  await nats?.close();
  await db?.drop();
  if (stateRoot) await rm(stateRoot, { recursive: true, force: true });
});

describe('dashboard', () => {
  it('keeps /api, /docs, /health and /metrics beside the page', async () => {
    const get = (path: string) => fetch(`${projection}${path}`);
    const root = await get('/');
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toContain('text/html');
    const api = await get('/api/pools');
    expect(api.status).toBe(200);
    const pools = (await api.json()) as { items: { id: string }[] };
    expect(pools.items.map((p) => p.id)).toContain(pool);
    expect((await get('/docs')).status).toBe(200);
    expect((await get('/health')).status).toBe(200);
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('http_request_duration_seconds');
  });

  it('shows the seeded hosts, networks and VMs, live, without console errors', async () => {
    await page.goto(`${projection}/?pool=${pool}`);
    await page.waitForSelector('html[data-link="live"]', { timeout: UI_TIMEOUT_MS });
    loadId = (await currentLoadId()) ?? '';
    expect(loadId).not.toBe('');

    await shows('#view-hosts', 'h-a', 'h-b', 'h-c');
    await shows(
      '#view-switch',
      'prod-vlan-100',
      'VLAN 100',
      'MTU 9000',
      'storage',
      'ops-vlan-20',
      'backplane',
    );
    await shows('#view-switch', '02:00:00:00:01:01', '10.100.0.11', '02:00:00:00:02:21', 'eth1');
    // h-c has no eth1: the prod segment says it cannot carry prod's VMs.
    await shows('#view-switch .uplink.missing', 'h-c');
    await shows('#view-vms', 'web-1', 'web-2', 'db-1', 'ops-1', 'lb-1', 'halted');
    await shows('#view-policy', 'tcp port 22 any address', 'drop', 'allow');
    // Every port of a running VM forwards once its host reported it.
    await shows('#view-switch', 'forwarding');
    await shows('#view-hosts', 'in sync');
    expect(await page.locator('#pool-picker').inputValue()).toBe(pool);
    expect(consoleErrors).toEqual([]);
  });

  it('shows a new VM and its VIF without reloading', async () => {
    await inPool('POST', '/vms', { vmId: 'cache-1', name: 'cache-1' });
    await inPool('POST', '/vms/cache-1/vifs', {
      vifId: 'cache-1-0',
      device: 0,
      networkId: 'prod',
      mac: '02:00:00:00:01:31',
      ipv4: '10.100.0.31',
    });
    await inPool('POST', '/vms/cache-1/start', { hostId: 'h-a' });
    await shows('#view-vms', 'cache-1', '02:00:00:00:01:31');
    await shows('#view-switch', 'cache-1', '02:00:00:00:01:31', '10.100.0.31');
    expect(await currentLoadId()).toBe(loadId);
  });

  it('follows a migration as it happens, without reloading', async () => {
    const started = Date.now();
    await rest('POST', `/pools/${pool}/vms/web-2/migrate`, { toHostId: 'h-a' });
    // It appears live (as requested or a later step, whatever the coordinator reached)…
    await shows('#view-migrations', 'web-2', 'h-b', 'h-a');
    // …and ends completed, with the VM on h-a, when the coordinator drives it through.
    await shows('#view-migrations .migration.completed', 'web-2');
    await page.waitForFunction(
      () => {
        const row = document.querySelector('#view-vms tr[data-key="web-2"]');
        return row?.textContent?.includes('h-a') && !row.textContent.includes('h-b');
      },
      undefined,
      { timeout: UI_TIMEOUT_MS },
    );
    expect(await currentLoadId()).toBe(loadId);
    console.log(
      `migration seen completed on the page ${Date.now() - started} ms after the request`,
    );
  });

  it('made no request off its origin, logged no error, and leaves a screenshot', async () => {
    await page.waitForTimeout(2_500); // let the "fresh" highlight fade for the picture
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(foreignRequests).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(await currentLoadId()).toBe(loadId);
  });

  it('turns a host red, live, when it stops applying the log', async () => {
    const hc = memberHosts.get('h-c')!;
    hc.child.kill('SIGTERM');
    await hc.exit;
    // Not waiting for hosts: h-c would never answer.
    await rest('POST', `/pools/${pool}/vms`, { vmId: 'late-1', name: 'late-1' });
    await page.waitForSelector('#view-hosts tr[data-key="h-c"].bad', { timeout: UI_TIMEOUT_MS });
    // Behind after 5 s without applying; silent after 30 s without a report.
    const pill = await page.locator('#view-hosts tr[data-key="h-c"] .pill').textContent();
    expect(pill).toMatch(/^(behind \d+|silent)$/);
    await page.waitForSelector('#view-summary .tile.bad', { timeout: UI_TIMEOUT_MS });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-host-behind.png'), fullPage: true });
    expect(await currentLoadId()).toBe(loadId);
    expect(consoleErrors).toEqual([]);
  });
});
