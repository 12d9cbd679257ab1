import { describe, expect, it } from 'vitest';
import { eventLine } from '../commands/events.command.js';
import { summary } from '../commands/mutation.js';
import {
  fakeServices,
  masterCommands,
  outcome,
  PROJECTION,
  run,
  type SeenRequest,
} from '../testing/fake-services.js';
import { ACL_COLUMNS } from './columns.js';
import { cell, renderFields, renderTable } from './table.js';

describe('cells and tables', () => {
  it('shows nothing as -, booleans as yes/no, lists comma-separated', () => {
    expect([null, undefined, '', true, false, [], ['a', 1], 0, { a: 1 }].map(cell)).toEqual([
      '-',
      '-',
      '-',
      'yes',
      'no',
      '-',
      'a,1',
      '0',
      '{"a":1}',
    ]);
  });

  it('aligns columns under upper-case headers, without trailing blanks', () => {
    const rows = [
      { id: 'host-a', enabled: true, applied: 12 },
      { id: 'b', enabled: false, applied: null },
    ];
    const table = renderTable(rows, [
      { header: 'id', value: (r) => r.id },
      { header: 'enabled', value: (r) => r.enabled },
      { header: 'applied', value: (r) => r.applied },
    ]);
    expect(table).toBe(
      'ID      ENABLED  APPLIED\n' + 'host-a  yes      12\n' + 'b       no       -\n',
    );
  });

  it("prints an ACL rule's hits, in total and per host, and - where none are known", () => {
    const rule = {
      id: 'r1',
      scope: { kind: 'network', networkId: 'prod' },
      direction: 'to-vm',
      priority: 100,
      match: { protocol: 'icmp', cidr: null, portFrom: null, portTo: null },
      action: 'drop',
    } as const;
    const hits = {
      packets: 5,
      bytes: 490,
      hosts: [
        { hostId: 'h1', packets: 3, bytes: 294, updatedAt: '2026-01-01T00:00:00.000Z' },
        { hostId: 'h2', packets: 2, bytes: 196, updatedAt: '2026-01-01T00:00:00.000Z' },
      ],
    };
    const [, counted = '', unknown = ''] = renderTable(
      [
        { ...rule, hits },
        { ...rule, id: 'r2', hits: null },
      ],
      ACL_COLUMNS,
    ).split('\n');
    expect(counted.split(/ +/).slice(-4)).toEqual(['drop', '5', '490', 'h1:3,h2:2']);
    expect(unknown.split(/ +/).slice(-4)).toEqual(['drop', '-', '-', '-']);
  });

  it('aligns labels of one object', () => {
    expect(
      renderFields([
        ['id', 'web-1'],
        ['power state', 'running'],
      ]),
    ).toBe('id:          web-1\npower state: running\n');
  });
});

describe('command outcomes', () => {
  it('summarises what happened', () => {
    const events = [
      { type: 'VmStopped', version: 8, data: {} },
      { type: 'VmStopped', version: 9, data: {} },
    ];
    expect(summary(outcome({ version: 9, events }))).toBe('version 9: VmStopped');
    expect(summary(outcome({ version: 9, duplicate: true, events }))).toBe(
      'version 9: VmStopped (already applied)',
    );
    expect(summary(outcome({ version: 9, events: [] }))).toBe('version 9: nothing to change');
    expect(
      summary(outcome({ version: 9, events, enabledHosts: ['a', 'b'], hosts: { a: 9, b: 9 } })),
    ).toBe('version 9: VmStopped; applied by 2/2 hosts');
  });

  const created = outcome({
    version: 12,
    events: [{ type: 'VmCreated', version: 12, data: { vmId: 'f00d', name: 'web-1' } }],
  });

  it('prints the new id alone for a creation (table), so shells can capture it', async () => {
    const { fetch } = fakeServices(masterCommands(() => ({ status: 201, body: created })));
    const result = await run(['--pool', 'lab', 'vm', 'create', 'web-1'], fetch);
    expect(result).toEqual({ code: 0, stdout: 'f00d\n', stderr: '' });
  });

  it('prints the outcome with the id as JSON', async () => {
    const { fetch } = fakeServices(masterCommands(() => ({ status: 201, body: created })));
    const result = await run(['--pool', 'lab', '-o', 'json', 'vm', 'create', 'web-1'], fetch);
    expect(JSON.parse(result.stdout)).toEqual({ id: 'f00d', ...created });
  });

  it('prints one line for other verbs', async () => {
    const stopped = outcome({
      version: 13,
      events: [{ type: 'VmStopped', version: 13, data: {} }],
    });
    const { fetch } = fakeServices(masterCommands(() => ({ status: 200, body: stopped })));
    const result = await run(['--pool', 'lab', 'vm', 'stop', 'web-1'], fetch);
    expect(result.stdout).toBe('version 13: VmStopped\n');
  });
});

describe('read verbs', () => {
  const vms = [
    {
      id: 'web-1',
      name: 'web',
      powerState: 'running',
      hostId: 'host-a',
      vifs: [
        {
          id: 'v1',
          device: 0,
          mac: '02:00:00:00:00:01',
          networkId: 'prod',
          ips: ['192.0.2.10'],
          qos: { ingressKbps: 100_000, ingressBurstKb: 10_000, egressKbps: 0, egressBurstKb: 0 },
          portSecurity: true,
          port: 'pnv-1111111111',
          bridge: 'pnb-2222222222',
          ports: [
            {
              hostId: 'host-a',
              port: 'pnv-1111111111',
              bridge: 'pnb-2222222222',
              role: 'pending',
              device: 'vnet7',
            },
            {
              hostId: 'host-b',
              port: 'pnv-1111111111',
              bridge: 'pnb-2222222222',
              role: 'pending',
              plugged: false,
            },
          ],
        },
        {
          id: 'v2',
          device: 1,
          mac: '02:00:00:00:00:02',
          networkId: 'prod',
          ips: [],
          qos: null,
          portSecurity: false,
        },
      ],
      migration: { id: 'm1', status: 'prepared', toHostId: 'host-b' },
    },
    { id: 'db-1', name: 'db', powerState: 'halted', hostId: null, vifs: [], migration: null },
  ];
  const projection = (r: SeenRequest) =>
    r.url.origin === PROJECTION && r.url.pathname === '/api/pools/lab/vms'
      ? { status: 200, body: { items: vms, nextCursor: null } }
      : undefined;

  it('lists as a table', async () => {
    const { fetch } = fakeServices(projection);
    const result = await run(['--pool', 'lab', 'vm', 'list'], fetch);
    expect(result.stdout).toBe(
      'ID     NAME  POWER    HOST    VIFS  MIGRATION\n' +
        'web-1  web   running  host-a  2     prepared → host-b\n' +
        'db-1   db    halted   -       0     -\n',
    );
  });

  it('lists as a JSON array of the read API items', async () => {
    const { fetch } = fakeServices(projection);
    const result = await run(['--pool', 'lab', '-o', 'json', 'vm', 'list'], fetch);
    expect(JSON.parse(result.stdout)).toEqual(vms);
  });

  it('follows the pages of a list, with the filters as query', async () => {
    const { fetch, seen } = fakeServices((r) =>
      r.url.searchParams.get('cursor') === null
        ? { status: 200, body: { items: [vms[0]], nextCursor: 'c2' } }
        : { status: 200, body: { items: [vms[1]], nextCursor: null } },
    );
    const result = await run(
      ['--pool', 'lab', '-o', 'json', 'vm', 'list', '--host', 'host-a', '--power-state', 'running'],
      fetch,
    );
    expect(JSON.parse(result.stdout)).toHaveLength(2);
    expect(seen.map((r) => r.url.search)).toEqual([
      '?host=host-a&powerState=running&limit=500',
      '?host=host-a&powerState=running&limit=500&cursor=c2',
    ]);
  });

  it('lists the VIFs of every VM with their VM', async () => {
    const { fetch } = fakeServices(projection);
    const result = await run(['--pool', 'lab', 'vif', 'list'], fetch);
    expect(result.stdout).toBe(
      'ID  VM     DEVICE  NETWORK  MAC                IPS         QOS                                         PORT SECURITY\n' +
        'v1  web-1  0       prod     02:00:00:00:00:01  192.0.2.10  in 100 Mbit/s burst 10 Mbit, out unlimited  on\n' +
        'v2  web-1  1       prod     02:00:00:00:00:02  -           none                                        off\n',
    );
  });

  it('shows a VIF with its port and bridge on each host that holds it, the device adopted, and where it is not plugged', async () => {
    const { fetch } = fakeServices(projection);
    const result = await run(['--pool', 'lab', 'vif', 'show', 'v1'], fetch);
    expect(result.stdout).toBe(
      [
        'id:                 v1',
        'vm:                 web-1',
        'device:             0',
        'network:            prod',
        'mac:                02:00:00:00:00:01',
        'ips:                192.0.2.10',
        'qos:                in 100 Mbit/s burst 10 Mbit, out unlimited',
        'port security:      on',
        'port (device name): pnv-1111111111',
        'bridge:             pnb-2222222222',
        'on hosts:           host-a: pnv-1111111111 as vnet7 on pnb-2222222222 (pending), ' +
          'host-b: pnv-1111111111 on pnb-2222222222 (pending) (not plugged)',
        '',
      ].join('\n'),
    );
    const missing = await run(['--pool', 'lab', 'vif', 'show', 'v9'], fetch);
    expect(missing.stderr).toContain('VIF v9 does not exist');
  });

  it('formats an event as one line', () => {
    const line = eventLine({
      id: 'e',
      pool: 'lab',
      version: 12,
      position: '1:2:3',
      type: 'VmStarted',
      schemaVersion: 1,
      data: { vmId: 'web-1', hostId: 'host-a' },
      metadata: {},
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(line).toBe(
      '    12  2026-01-01T00:00:00.000Z  VmStarted             vmId=web-1 hostId=host-a',
    );
  });
});
