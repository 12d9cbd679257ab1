/**
 * The OpenFlow 1.0 session against real Open vSwitch (userspace datapath): port flood configs
 * set and read back, checked by `ovs-ofctl dump-ports-desc` (an independent reader); a change
 * with the wrong hardware address refused by the switch; a bridge that does not speak 1.0 and a
 * missing socket fail with errors that say so.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingOvsLab, realPart } from '../../../../../../test/support/real-part.js';
import { NetnsLab, type LabHost } from '../../../testing/netns-lab.js';
import { run } from '../exec.js';
import { Of10Connection, OpenFlowError } from './of10-connection.js';
import { PORT_CONFIG_NO_FLOOD } from './of10-messages.js';
import { noFloodPorts, setPortFlood } from './port-flood.js';

const part = realPart(
  'OpenFlow 1.0 port configs on Open vSwitch',
  missingOvsLab(['ovs-vsctl', 'ovs-ofctl', 'ovsdb-server', 'ip']),
);

const BRIDGE = 'brof';
const PORTS = ['pof1', 'pof2', 'pof3'];

describe.skipIf(part.skip)('OpenFlow 1.0 session on real Open vSwitch', () => {
  const lab = new NetnsLab(`pno${process.pid}`);
  let host: LabHost;
  let socket: string;

  /** NO_FLOOD ports as ovs-ofctl reads them, not through the code under test. */
  async function noFloodByOfctl(): Promise<string[]> {
    const dump = await run('ovs-ofctl', ['-O', 'OpenFlow10', 'dump-ports-desc', `unix:${socket}`]);
    const found: string[] = [];
    let current = '';
    for (const line of dump.split('\n')) {
      const head = /^\s*(?:\d+|LOCAL)\((.+)\): addr:/.exec(line);
      if (head) current = head[1] ?? '';
      else if (/^\s*config:.*\bNO_FLOOD\b/.test(line)) found.push(current);
    }
    return found.sort();
  }

  beforeAll(async () => {
    part.assertPresent();
    await lab.start();
    host = await lab.addHost('h1', []);
    socket = join(host.runDir, `${BRIDGE}.mgmt`);
    await lab.vsctl('h1', [
      'add-br',
      BRIDGE,
      '--',
      'set',
      'bridge',
      BRIDGE,
      'datapath_type=netdev',
      ...PORTS.flatMap((p) => [
        '--',
        'add-port',
        BRIDGE,
        p,
        '--',
        'set',
        'interface',
        p,
        'type=internal',
      ]),
    ]);
  }, 120_000);

  afterAll(() => lab.stop(), 60_000);

  it('sets no-flood on the named ports only, and says which ports have no OpenFlow port', async () => {
    const absent = await setPortFlood(
      socket,
      [
        { port: 'pof1', flood: false },
        { port: 'pof2', flood: false },
        { port: 'nodev', flood: false },
      ],
      5_000,
    );
    expect(absent).toEqual(['nodev']);
    expect(await noFloodByOfctl()).toEqual(['pof1', 'pof2']);
    expect([...(await noFloodPorts(socket, 5_000))].sort()).toEqual(['pof1', 'pof2']);
  });

  it('turns flood back on, leaving the other ports as they are', async () => {
    await setPortFlood(
      socket,
      [
        { port: 'pof1', flood: true },
        { port: 'pof3', flood: true },
      ],
      5_000,
    );
    expect(await noFloodByOfctl()).toEqual(['pof2']);
  });

  it('a change carrying another hardware address is refused by the switch and changes nothing', async () => {
    const connection = await Of10Connection.open(socket, 5_000);
    try {
      const pof3 = (await connection.portDescriptions(5_000)).find((p) => p.name === 'pof3')!;
      const wrong = { ...pof3, hwAddr: Buffer.from('02deadbeef01', 'hex') };
      await expect(
        connection.modifyPorts(
          [{ port: wrong, config: PORT_CONFIG_NO_FLOOD, mask: PORT_CONFIG_NO_FLOOD }],
          5_000,
        ),
      ).rejects.toThrow(/refused 1 port change\(s\): pof3: PORT_MOD_FAILED/);
    } finally {
      connection.close();
    }
    expect(await noFloodByOfctl()).toEqual(['pof2']);
  });

  it('a bridge that does not speak OpenFlow 1.0 fails the hello with an error', async () => {
    await lab.vsctl('h1', ['set', 'bridge', BRIDGE, 'protocols=OpenFlow13']);
    try {
      await expect(Of10Connection.open(socket, 5_000)).rejects.toBeInstanceOf(OpenFlowError);
    } finally {
      await lab.vsctl('h1', ['clear', 'bridge', BRIDGE, 'protocols']);
    }
  });

  it('a missing socket fails at once, naming it', async () => {
    await expect(noFloodPorts(join(host.runDir, 'nobridge.mgmt'), 5_000)).rejects.toThrow(
      /nobridge\.mgmt/,
    );
  });
});
