/**
 * A table of bad requests against a configured pool, each answered with its status and `code`
 * in the API's error shape, and the log unchanged after each: the pool's stream and the whole
 * `es_events` table have as many rows as before. Real PostgreSQL and NATS; the app is booted
 * in-process (see support/pool-master-harness.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootPoolMaster,
  type Json,
  type PoolMasterHarness,
} from './support/pool-master-harness.js';
import { configuredPool, pif, type SetupStep } from './support/configured-pool.js';

const POOL = `bad-${Math.random().toString(36).slice(2, 10)}`;
const P = `/pools/${POOL}`;

/** The pool every case runs against, built over REST; only host-a has eth4, so a VM on
 * `lonely` cannot start on host-b. */
const SETUP: SetupStep[] = [
  ...configuredPool(POOL, 'bad requests'),
  [
    'POST',
    `${P}/networks`,
    { networkId: 'lonely', name: 'lonely', purpose: 'vm', kind: 'external', device: 'eth4' },
  ],
  ['POST', `${P}/vms`, { vmId: 'edge', name: 'edge' }],
  ['POST', `${P}/vms/edge/vifs`, { vifId: 'edge-0', device: 0, networkId: 'lonely' }],
];

interface Case {
  name: string;
  method: string;
  path: string;
  json?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
  /** Extra checks on the error body. */
  expect?: (body: Json) => void;
}

const vif = (body: Record<string, unknown>) => ({ device: 3, networkId: 'priv', ...body });
const acl = (match: Record<string, unknown>, priority = 100) => ({
  scope: { kind: 'network', networkId: 'ext' },
  direction: 'from-vm',
  priority,
  match,
  action: 'drop',
});
const JSON_TYPE = { 'content-type': 'application/json' };

// One row per case: the table reads better than prettier's one property per line.
// prettier-ignore
const CASES: Case[] = [
  // Addresses
  { name: 'malformed MAC', method: 'POST', path: `${P}/vms/idle/vifs`, json: vif({ mac: '02:aa:bb:cc:dd' }), status: 400, code: 'INVALID_MAC' },
  { name: 'duplicate MAC in another case', method: 'POST', path: `${P}/vms/idle/vifs`, json: vif({ mac: '02:AA:BB:CC:DD:01' }), status: 409, code: 'MAC_IN_USE', expect: (b) => expect(b.details).toMatchObject({ vifId: 'web-0' }) },
  { name: 'duplicate MAC with dashes', method: 'POST', path: `${P}/vms/idle/vifs`, json: vif({ mac: '02-aa-bb-cc-dd-01' }), status: 409, code: 'MAC_IN_USE' },
  { name: 'multicast MAC', method: 'POST', path: `${P}/vms/idle/vifs`, json: vif({ mac: '03:00:5e:00:00:01' }), status: 400, code: 'INVALID_MAC' },
  { name: 'all-zero MAC', method: 'POST', path: `${P}/vms/idle/vifs`, json: vif({ mac: '00:00:00:00:00:00' }), status: 400, code: 'INVALID_MAC' },
  { name: 'bad IPv4', method: 'POST', path: `${P}/vms/idle/vifs`, json: vif({ ipv4: '192.0.2.300' }), status: 400, code: 'INVALID_IP' },
  { name: 'duplicate IP on a network', method: 'POST', path: `${P}/vms/idle/vifs`, json: vif({ networkId: 'ext', ipv4: '192.0.2.10' }), status: 409, code: 'IP_IN_USE' },
  // Ranges
  { name: 'VLAN 0', method: 'POST', path: `${P}/networks`, json: { name: 'v0', purpose: 'vm', kind: 'external', device: 'eth1', vlan: 0 }, status: 400, code: 'INVALID_VLAN' },
  { name: 'VLAN 4095', method: 'POST', path: `${P}/networks`, json: { name: 'v4095', purpose: 'vm', kind: 'external', device: 'eth1', vlan: 4095 }, status: 400, code: 'INVALID_VLAN' },
  { name: 'network MTU 67', method: 'POST', path: `${P}/networks`, json: { name: 'tiny', purpose: 'vm', kind: 'private', mtu: 67 }, status: 400, code: 'INVALID_MTU' },
  { name: 'PIF MTU 9217', method: 'PUT', path: `${P}/hosts/host-a/pifs/eth1`, json: { mtu: 9217 }, status: 400, code: 'INVALID_MTU' },
  { name: 'VIF device 16', method: 'POST', path: `${P}/vms/idle/vifs`, json: vif({ device: 16 }), status: 400, code: 'INVALID_VIF_DEVICE' },
  { name: "ACL direction 'ingress' (renamed)", method: 'POST', path: `${P}/acls`, json: { ...acl({ protocol: 'tcp', portFrom: 22 }), direction: 'ingress' }, status: 400, code: 'ACL_DIRECTION_RENAMED', expect: (b) => expect(b.message).toBe("direction 'ingress' meant traffic from the VM: write 'from-vm' (Neutron's ingress is 'to-vm')") },
  { name: "ACL direction 'egress' (renamed)", method: 'POST', path: `${P}/acls`, json: { ...acl({ protocol: 'tcp', portFrom: 22 }), direction: 'egress' }, status: 400, code: 'ACL_DIRECTION_RENAMED', expect: (b) => expect(b.details).toEqual({ direction: 'egress', use: 'to-vm' }) },
  { name: 'ACL priority 40000', method: 'POST', path: `${P}/acls`, json: acl({ protocol: 'udp' }, 40_000), status: 400, code: 'INVALID_PRIORITY' },
  // Unknown ids
  { name: 'unknown network', method: 'POST', path: `${P}/vms/idle/vifs`, json: vif({ networkId: 'nope' }), status: 404, code: 'NETWORK_NOT_FOUND' },
  { name: 'unknown VM', method: 'POST', path: `${P}/vms/ghost/vifs`, json: vif({}), status: 404, code: 'VM_NOT_FOUND' },
  { name: 'unknown host', method: 'POST', path: `${P}/vms/idle/start`, json: { hostId: 'ghost' }, status: 404, code: 'HOST_NOT_FOUND' },
  { name: 'unknown PIF', method: 'PUT', path: `${P}/hosts/host-b/pifs/eth9`, json: { role: 'storage' }, status: 404, code: 'PIF_NOT_FOUND' },
  { name: 'unknown ACL rule', method: 'DELETE', path: `${P}/acls/ghost`, status: 404, code: 'ACL_RULE_NOT_FOUND' },
  { name: 'unknown pool', method: 'POST', path: '/pools/ghost-pool/vms', json: { name: 'x' }, status: 404, code: 'POOL_NOT_FOUND' },
  { name: 'events of an unknown pool', method: 'GET', path: '/pools/ghost-pool/events', status: 404, code: 'POOL_NOT_FOUND' },
  // Conflicts with pool state
  { name: 'start on a host lacking a network', method: 'POST', path: `${P}/vms/edge/start`, json: { hostId: 'host-b' }, status: 409, code: 'MISSING_UPLINKS', expect: (b) => expect(b.details.networks).toEqual([expect.objectContaining({ networkId: 'lonely', device: 'eth4' })]) },
  { name: 'start a running VM', method: 'POST', path: `${P}/vms/web/start`, json: { hostId: 'host-a' }, status: 409, code: 'VM_NOT_HALTED' },
  { name: 'migrate a halted VM', method: 'POST', path: `${P}/vms/idle/migrate`, json: { toHostId: 'host-b' }, status: 409, code: 'VM_NOT_RUNNING' },
  { name: 'migrate to the same host', method: 'POST', path: `${P}/vms/web/migrate`, json: { toHostId: 'host-a' }, status: 400, code: 'MIGRATION_TO_SAME_HOST' },
  { name: 'duplicate VIF device', method: 'POST', path: `${P}/vms/web/vifs`, json: { device: 0, networkId: 'priv' }, status: 409, code: 'VIF_DEVICE_IN_USE' },
  { name: 'destroy a network with VIFs', method: 'DELETE', path: `${P}/networks/ext`, status: 409, code: 'NETWORK_IN_USE' },
  { name: 'eject a host with a running VM', method: 'DELETE', path: `${P}/hosts/host-a`, status: 409, code: 'HOST_HAS_RUNNING_VMS' },
  { name: 'bond member in another bond', method: 'POST', path: `${P}/bonds`, json: { hostId: 'host-a', device: 'bond1', members: ['eth2', 'eth4'], mode: 'lacp' }, status: 409, code: 'PIF_ALREADY_BONDED' },
  { name: 'bond member with a VLAN', method: 'POST', path: `${P}/bonds`, json: { hostId: 'host-a', device: 'bond1', members: ['eth1', 'eth4'], mode: 'lacp' }, status: 409, code: 'BOND_MEMBER_HAS_VLAN' },
  { name: 'VLAN network on a bond member', method: 'POST', path: `${P}/networks`, json: { name: 'v300', purpose: 'vm', kind: 'external', device: 'eth2', vlan: 300 }, status: 409, code: 'BOND_MEMBER_HAS_VLAN' },
  { name: 'same device and VLAN twice', method: 'POST', path: `${P}/networks`, json: { name: 'ext-2', purpose: 'vm', kind: 'external', device: 'eth1', vlan: 100 }, status: 409, code: 'DEVICE_VLAN_IN_USE' },
  { name: 'network name taken in another case', method: 'POST', path: `${P}/networks`, json: { name: 'EXT', purpose: 'vm', kind: 'private' }, status: 409, code: 'NETWORK_NAME_IN_USE' },
  { name: 'overlapping ACL rule at the same priority', method: 'POST', path: `${P}/acls`, json: acl({ protocol: 'tcp', portFrom: 400, portTo: 500 }), status: 409, code: 'ACL_RULE_OVERLAP', expect: (b) => expect(b.details).toMatchObject({ ruleId: 'https' }) },
  { name: 'mirror onto its own source', method: 'POST', path: `${P}/mirrors`, json: { source: { kind: 'vif', vifId: 'web-0' }, direction: 'both', destinationVifId: 'web-0' }, status: 409, code: 'MIRROR_LOOP' },
  { name: 'management role taken from the management PIF', method: 'PUT', path: `${P}/hosts/host-a/pifs/eth0`, json: { role: 'vm' }, status: 409, code: 'MANAGEMENT_PIF_REQUIRED' },
  { name: 'pool that exists', method: 'POST', path: '/pools', json: { poolId: POOL, name: 'again' }, status: 409, code: 'POOL_EXISTS' },
  // Bodies
  { name: 'JSON array', method: 'POST', path: `${P}/vms`, json: [{ name: 'x' }], status: 400, code: 'BODY_NOT_OBJECT' },
  { name: 'JSON string', method: 'POST', path: `${P}/vms`, json: 'web', status: 400, code: 'BODY_NOT_OBJECT' },
  { name: 'JSON number', method: 'POST', path: `${P}/vms`, json: 42, status: 400, code: 'BODY_NOT_OBJECT' },
  { name: 'JSON null', method: 'POST', path: `${P}/vms`, raw: 'null', headers: JSON_TYPE, status: 400, code: 'BODY_NOT_OBJECT' },
  { name: 'malformed JSON', method: 'POST', path: `${P}/vms`, raw: '{"name": "web",', headers: JSON_TYPE, status: 400, code: 'MALFORMED_JSON' },
  { name: 'empty JSON body', method: 'POST', path: `${P}/vms`, raw: '', headers: JSON_TYPE, status: 400, code: 'MALFORMED_JSON' },
  { name: 'prototype key in JSON', method: 'POST', path: `${P}/vms`, raw: '{"name":"x","__proto__":{"admin":true}}', headers: JSON_TYPE, status: 400, code: 'MALFORMED_JSON' },
  { name: 'text/plain body', method: 'POST', path: `${P}/vms`, raw: '{"name":"x"}', headers: { 'content-type': 'text/plain' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'form body', method: 'POST', path: `${P}/vms`, raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'XML body', method: 'POST', path: `${P}/vms`, raw: '<vm name="x"/>', headers: { 'content-type': 'application/xml' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: '1 MB name', method: 'POST', path: `${P}/vms`, json: { name: 'x'.repeat(1_000_000) }, status: 413, code: 'BODY_TOO_LARGE' },
  { name: '100 kB name', method: 'POST', path: `${P}/vms`, json: { name: 'x'.repeat(100_000) }, status: 400, code: 'VALIDATION_FAILED', expect: (b) => expect(b.details.fields).toEqual(['name']) },
  { name: '65-character name', method: 'POST', path: `${P}/vms`, json: { name: 'x'.repeat(65) }, status: 400, code: 'INVALID_NAME' },
  { name: 'empty name', method: 'POST', path: `${P}/vms`, json: { name: '' }, status: 400, code: 'INVALID_NAME' },
  { name: 'blank name', method: 'PATCH', path: `${P}/vms/web`, json: { name: '   ' }, status: 400, code: 'INVALID_NAME' },
  { name: 'control characters in a name', method: 'POST', path: `${P}/vms`, json: { name: 'web\u0007\u001b[2J' }, status: 400, code: 'INVALID_NAME' },
  { name: 'unknown fields', method: 'POST', path: `${P}/vms`, json: { name: 'x', colour: 'red' }, status: 400, code: 'VALIDATION_FAILED', expect: (b) => expect(b.message).toContain('colour is not a known field') },
  { name: 'unknown nested field', method: 'POST', path: `${P}/acls`, json: acl({ protocol: 'udp', dscp: 46 }, 7), status: 400, code: 'VALIDATION_FAILED', expect: (b) => expect(b.details.fields).toEqual(['match.dscp']) },
  { name: 'wrong type: string for an integer', method: 'POST', path: `${P}/vms/idle/vifs`, json: vif({ device: '3' }), status: 400, code: 'VALIDATION_FAILED', expect: (b) => expect(b.details.fields).toEqual(['device']) },
  { name: 'wrong type: string for a boolean', method: 'PATCH', path: `${P}/vms/web/vifs/web-0`, json: { portSecurity: 'yes' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'wrong type: number for a name', method: 'POST', path: `${P}/vms`, json: { name: 7 }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'wrong type in a PIF inventory', method: 'POST', path: `${P}/hosts`, json: { name: 'h', address: 'h', pifs: [{ ...pif('eth0', 3), mtu: '1500' }], managementDevice: 'eth0' }, status: 400, code: 'VALIDATION_FAILED', expect: (b) => expect(b.details.fields).toEqual(['pifs[0].mtu']) },
  { name: 'unknown network kind', method: 'POST', path: `${P}/networks`, json: { name: 'o', purpose: 'vm', kind: 'stretched' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'missing required field', method: 'POST', path: `${P}/vms/idle/start`, json: {}, status: 400, code: 'VALIDATION_FAILED', expect: (b) => expect(b.details.problems).toEqual([{ field: 'hostId', message: 'is required' }]) },
  { name: 'an id the URL already names', method: 'POST', path: `${P}/vms/idle/start`, json: { vmId: 'web', hostId: 'host-a' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'malformed id', method: 'POST', path: `${P}/vms`, json: { vmId: 'has space', name: 'x' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'pool id that is no NATS token', method: 'POST', path: '/pools', json: { poolId: 'lab.*', name: 'x' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'malformed pool id in the URL', method: 'POST', path: '/pools/Bad_Pool/vms', json: { name: 'x' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'PIF settings without role or mtu', method: 'PUT', path: `${P}/hosts/host-a/pifs/eth1`, json: {}, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'PIF settings with a bad second field', method: 'PUT', path: `${P}/hosts/host-a/pifs/eth1`, json: { role: 'storage', mtu: 'jumbo' }, status: 400, code: 'VALIDATION_FAILED' },
  // Headers and query
  { name: 'bad If-Match', method: 'POST', path: `${P}/vms`, json: { name: 'x' }, headers: { 'If-Match': 'W/"abc"' }, status: 400, code: 'BAD_IF_MATCH' },
  { name: 'stale If-Match', method: 'POST', path: `${P}/vms`, json: { name: 'x' }, headers: { 'If-Match': '"1"' }, status: 412, code: 'VERSION_MISMATCH', expect: (b) => expect(b.details.currentVersion).toBe(SETUP.length) },
  { name: 'Idempotency-Key of 129 characters', method: 'POST', path: `${P}/vms`, json: { name: 'x' }, headers: { 'Idempotency-Key': 'k'.repeat(129) }, status: 400, code: 'BAD_IDEMPOTENCY_KEY' },
  { name: 'Idempotency-Key with a space', method: 'POST', path: `${P}/vms`, json: { name: 'x' }, headers: { 'Idempotency-Key': 'my key' }, status: 400, code: 'BAD_IDEMPOTENCY_KEY' },
  { name: 'wait other than hosts', method: 'POST', path: `${P}/vms?wait=all`, json: { name: 'x' }, status: 400, code: 'BAD_WAIT' },
  { name: 'mistyped wait', method: 'POST', path: `${P}/vms?wiat=hosts`, json: { name: 'x' }, status: 400, code: 'UNKNOWN_QUERY_PARAMETER' },
  { name: 'timeoutMs 0', method: 'POST', path: `${P}/vms?wait=hosts&timeoutMs=0`, json: { name: 'x' }, status: 400, code: 'BAD_WAIT_TIMEOUT' },
  { name: 'events after -1', method: 'GET', path: `${P}/events?after=-1`, status: 400, code: 'BAD_AFTER' },
  { name: 'events limit 0', method: 'GET', path: `${P}/events?limit=0`, status: 400, code: 'BAD_LIMIT' },
  { name: 'events limit 1001', method: 'GET', path: `${P}/events?limit=1001`, status: 400, code: 'BAD_LIMIT' },
  // Routes
  { name: 'unknown route', method: 'POST', path: `${P}/switches`, json: { name: 'x' }, status: 404, code: 'NOT_FOUND' },
  { name: 'method without a route', method: 'GET', path: `${P}/vms`, status: 404, code: 'NOT_FOUND' },
];

describe('bad requests to the pool master', () => {
  let api: PoolMasterHarness;
  let allRows: () => Promise<number>;

  beforeAll(async () => {
    api = await bootPoolMaster();
    for (const [method, path, json] of SETUP) {
      const response = await api.request(method, path, { json });
      expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(
        300,
      );
    }
    allRows = async () => {
      const response = await api.request('GET', `${P}/events?limit=1000`);
      return response.body.events.length as number;
    };
  });

  afterAll(async () => {
    await api?.close();
  });

  it('has at least 40 cases, each named once', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES)('$name → $status $code', async (c) => {
    const before = await api.eventRows(POOL);
    const total = await api.totalEventRows();
    const response = await api.request(c.method, c.path, {
      json: c.json,
      raw: c.raw,
      headers: c.headers,
    });

    expect(response.status, JSON.stringify(response.body).slice(0, 500)).toBe(c.status);
    expect(response.body).toMatchObject({ statusCode: c.status, code: c.code });
    expect(response.body.message).toEqual(expect.stringMatching(/\S/));
    c.expect?.(response.body);

    expect(await api.eventRows(POOL)).toBe(before);
    expect(await api.totalEventRows()).toBe(total);
  });

  it('leaves the pool at the version the setup reached', async () => {
    expect(await api.eventRows(POOL)).toBe(SETUP.length);
    expect(await allRows()).toBe(SETUP.length);
  });
});
