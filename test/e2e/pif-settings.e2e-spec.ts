/**
 * `PUT /pools/:pool/hosts/:host/pifs/:device` with a role and an MTU is one request: when the
 * decider refuses either part, nothing is written (it used to append `PifRoleChanged` and then
 * answer 400 for the MTU); when both are accepted, their events land under one command id, and
 * a retry with the same Idempotency-Key is answered from the log. Real PostgreSQL and NATS; the
 * app is booted in-process (see support/pool-master-harness.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootPoolMaster, type PoolMasterHarness } from './support/pool-master-harness.js';
import { configuredPool } from './support/configured-pool.js';

const POOL = `pif-${Math.random().toString(36).slice(2, 10)}`;
const P = `/pools/${POOL}`;

describe('PIF settings as one request', () => {
  let api: PoolMasterHarness;

  beforeAll(async () => {
    api = await bootPoolMaster();
    for (const [method, path, json] of configuredPool(POOL, 'pif settings')) {
      const response = await api.request(method, path, { json });
      expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(
        300,
      );
    }
  });

  afterAll(async () => {
    await api?.close();
  });

  // prettier-ignore
  it.each([
    ['a refused MTU after an accepted role', 'eth4', { role: 'storage', mtu: 99999 }, 400, 'INVALID_MTU'],
    ['a refused role before an accepted MTU', 'eth0', { role: 'vm', mtu: 9000 }, 409, 'MANAGEMENT_PIF_REQUIRED'],
  ])('%s writes nothing', async (_name, device, json, status, code) => {
    const before = await api.totalEventRows();
    const response = await api.request('PUT', `${P}/hosts/host-a/pifs/${device}`, { json });
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ statusCode: status, code });
    expect(await api.totalEventRows()).toBe(before);
    const events = await api.request('GET', `${P}/events?limit=1000`);
    const types = (events.body.events as { type: string }[]).map((e) => e.type);
    expect(types).not.toContain('PifRoleChanged');
    expect(types).not.toContain('PifMtuChanged');
    expect(await api.eventRows(POOL)).toBe(configuredPool(POOL, '').length);
  });

  it('writes role and MTU together under one command id, and answers a retry from the log', async () => {
    const before = await api.eventRows(POOL);
    const put = () =>
      api.request('PUT', `${P}/hosts/host-a/pifs/eth4`, {
        json: { role: 'storage', mtu: 9000 },
        headers: { 'Idempotency-Key': `pif-${POOL}` },
      });
    const first = await put();
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      commandId: `pif-${POOL}`,
      firstVersion: before + 1,
      version: before + 2,
      duplicate: false,
    });
    expect(first.body.events.map((e: { type: string }) => e.type)).toEqual([
      'PifRoleChanged',
      'PifMtuChanged',
    ]);
    const again = await put();
    expect(again.body).toMatchObject({ duplicate: true, version: before + 2 });
    expect(again.body.events).toEqual(first.body.events);
    expect(await api.eventRows(POOL)).toBe(before + 2);
  });
});
