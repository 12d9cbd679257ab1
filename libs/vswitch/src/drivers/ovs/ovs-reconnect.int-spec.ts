/**
 * The driver's one OVSDB connection (ovsdb/client.ts) when Open vSwitch restarts under a running
 * member host (issue 25): ovsdb-server and ovs-vswitchd are killed and started again; the
 * driver reconnects, rebuilds its replica, its device watch keeps working, a pass started while
 * ovsdb-server is down completes once it is back, and one full pass reconverges what
 * ovs-vswitchd lost (its flow tables and port configs live in its memory only). No OVSDB
 * process is started for any of it: reads come from the replica, writes go over the socket.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingOvsLab, realPart } from '../../../../../test/support/real-part.js';
import { digest } from '../../model/canonical.js';
import { desiredState } from '../../model/desired-state.js';
import { portName } from '../../model/naming.js';
import { plan } from '../../planner/plan.js';
import { reconcile, reconcileFully } from '../../reconcile.js';
import { NetnsLab } from '../../testing/netns-lab.js';
import { topology } from '../../testing/topology-builder.js';
import { run, spawnCounts } from './exec.js';
import { Of10Connection } from './openflow/of10-connection.js';

const part = realPart(
  'Open vSwitch',
  missingOvsLab(['ovs-vsctl', 'ovs-ofctl', 'ovsdb-server', 'ovs-vswitchd', 'ip', 'ping']),
);

const VMS = {
  a: ['02:00:00:00:25:0a', '10.25.3.1'],
  b: ['02:00:00:00:25:0b', '10.25.3.2'],
  c: ['02:00:00:00:25:0c', '10.25.3.3'],
} as const;

const pool = (acl = true) => {
  const t = topology().host('h1').external('lan', 'eth0', 25);
  if (acl) t.acl('no-9999', { networkId: 'lan' }, { match: { protocol: 'tcp', portFrom: 9999 } });
  for (const [vm, [mac, ipv4]] of Object.entries(VMS)) {
    t.vm(vm, 'h1').vif(`v-${vm}`, vm, 'lan', { mac, ipv4, portSecurity: true });
  }
  return t.build();
};

/** Spawns of OVSDB tools (ovs-vsctl, ovsdb-client) since `before`. */
const ovsdbSpawns = () =>
  (spawnCounts.get('ovs-vsctl') ?? 0) + (spawnCounts.get('ovsdb-client') ?? 0);

describe.skipIf(part.skip)('OVS driver: Open vSwitch restarting under a member host', () => {
  beforeAll(() => part.assertPresent());
  const lab = new NetnsLab(`pnr${process.pid % 100000}`);
  const desired = () => desiredState(pool(), 'h1');
  const driver = () => lab.host('h1').driver;
  const ns: Record<string, string> = {};
  let changes = 0;
  let stopWatch: () => void = () => undefined;

  const pidOf = async (daemon: string) =>
    Number((await readFile(join(lab.host('h1').runDir, `${daemon}.pid`), 'utf8')).trim());
  /** Kills a daemon the lab started, by its pid, and waits until it is gone. */
  const kill = async (daemon: string) => {
    const pid = await pidOf(daemon);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  /** scripts/ovs/start.sh is idempotent: it starts the daemons that are not running. */
  const restart = () =>
    run('bash', [
      join(process.cwd(), 'scripts/ovs/start.sh'),
      '--netns',
      lab.host('h1').netns,
      lab.host('h1').runDir,
    ]);

  beforeAll(async () => {
    await lab.start();
    await lab.addHost('h1');
    ns.a = await lab.addVm('a', 'h1', portName('v-a'), VMS.a[0], `${VMS.a[1]}/24`);
    ns.b = await lab.addVm('b', 'h1', portName('v-b'), VMS.b[0], `${VMS.b[1]}/24`);
    stopWatch = driver().watchDevices(() => changes++);
  }, 60_000);
  afterAll(async () => {
    stopWatch();
    driver().close();
    await lab.stop();
  });

  it('converges without starting an OVSDB process', async () => {
    const before = ovsdbSpawns();
    await reconcileFully(driver(), desired());
    expect(await reconcileFully(driver(), desired())).toEqual({ operations: [], findings: [] });
    expect(ovsdbSpawns() - before).toBe(0);
    expect(await lab.ping(ns.a!, VMS.b[1])).toBe(true);
    // v-c has no device yet: its port waits.
    expect(driver().unpluggedPorts()).toEqual([portName('v-c')]);
  });

  it('applies ACL changes that move ports in and out of the flood set over the sessions it holds, with no reconfiguration', async () => {
    const bridge = desired().bridges[0]!.name;
    const nextCfg = async () =>
      Number((await lab.vsctl('h1', ['get', 'Open_vSwitch', '.', 'next_cfg'])).trim());
    // NO_FLOOD exists in OpenFlow 1.0 only: ovs-ofctl shows it there.
    const target = `unix:${lab.host('h1').runDir}/${bridge}.mgmt`;
    const noFlood = async () =>
      ((await run('ovs-ofctl', ['-O', 'OpenFlow10', 'show', target])).match(/\bNO_FLOOD\b/g) ?? [])
        .length;
    const bare = desiredState(pool(false), 'h1');
    const cfg = await nextCfg();
    const opened = Of10Connection.opened;
    const sessions = driver().openflowCounters().sessionsOpened;
    // The rule goes (the ports rejoin NORMAL's flood), then comes back (they leave it), as a
    // member host applies events: planned against the last state, no read-back.
    expect(await noFlood()).toBe(2);
    await driver().apply(plan(bare, desired()));
    expect(await noFlood()).toBe(0);
    await driver().apply(plan(desired(), bare));
    expect(await noFlood()).toBe(2);
    expect(plan(desired(), await driver().readActual())).toEqual([]);
    // Only the host's records changed in OVSDB: ovs-vswitchd was not made to reconfigure.
    expect(await nextCfg()).toBe(cfg);
    // Port configs went over the bridge's kept OpenFlow 1.0 session, not one opened per change.
    expect(Of10Connection.opened - opened).toBe(0);
    expect(driver().openflowCounters().sessionsOpened).toBe(sessions);
  });

  it('reconnects after ovsdb-server and ovs-vswitchd restart, and one pass reconverges', async () => {
    await kill('ovs-vswitchd');
    await kill('ovsdb-server');
    // A write started while ovsdb-server is down waits for it (within the driver's timeout):
    // the port's records, written again as they are (an OVSDB-only operation).
    const bridge = desired().bridges[0]!.name;
    const address = { mac: VMS.a[0], ipv4: VMS.a[1] };
    const write = driver()
      .apply([{ kind: 'setPortAddress', bridge, port: portName('v-a'), address }])
      .then(() => 'written');
    await new Promise((r) => setTimeout(r, 300));
    await restart();
    expect(await write).toBe('written');
    // start.sh returns once ovs-vswitchd has applied the database; it lost its flow tables
    // (a secure bridge without them forwards nothing), which one pass finds and writes again.
    expect(await lab.ping(ns.a!, VMS.b[1])).toBe(false);
    const { operations, findings } = await reconcileFully(driver(), desired());
    expect(operations.length + findings.length).toBeGreaterThan(0);
    expect(await reconcileFully(driver(), desired())).toEqual({ operations: [], findings: [] });
    expect(await lab.ping(ns.a!, VMS.b[1])).toBe(true);
  });

  it('keeps watching devices over the reconnected monitor', async () => {
    await kill('ovsdb-server');
    await restart();
    const seen = changes;
    ns.c = await lab.addVm('c', 'h1', portName('v-c'), VMS.c[0], `${VMS.c[1]}/24`);
    const deadline = Date.now() + 5000;
    while (changes === seen && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(changes).toBeGreaterThan(seen);
    const before = ovsdbSpawns();
    await reconcile(driver(), desired());
    // Every VIF plugged now: the switch holds exactly the desired state.
    expect(digest(await driver().readActual())).toBe(digest(desired()));
    expect(plan(desired(), await driver().readActual())).toEqual([]);
    expect(ovsdbSpawns() - before).toBe(0);
    expect(await lab.ping(ns.c, VMS.a[1])).toBe(true);
  });
});
