import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingOvsLab, realPart } from '../../../../../../test/support/real-part.js';
import { RULE_BIT, deleteFlows, hex, policingFlows } from '../flows.js';
import { Ofctl } from '../ovs-clients.js';
import { parseFlowCookies, parseFlowStats, parseMeters, parsePortStats } from './ofctl-text.js';
import { resolveOvsOptions } from '../ovs-options.js';
import { CORPUS_PORTS, corpusLines, handoverCorpusLines } from '../../../testing/flow-corpus.js';
import { restartVswitchd } from '../../../testing/restart-vswitchd.js';

const lab = realPart(
  'native OpenFlow',
  missingOvsLab(['ovsdb-server', 'ovs-vswitchd', 'ovs-vsctl', 'ovs-ofctl', 'ovs-appctl']),
);
const script = (name: string) => join(process.cwd(), 'scripts/ovs', name);

/**
 * The driver's OpenFlow 1.4 encoder against ovs-ofctl on real Open vSwitch: every kind of flow
 * the generators write (testing/flow-corpus.ts) goes into one bridge through poolnet's own connection
 * and into a twin bridge through ovs-ofctl, as the driver sent them before, and the two tables,
 * meters and statistics must read back the same. Then ovs-vswitchd is restarted under the
 * connection, which must be opened again and work.
 */
describe.skipIf(lab.skip)('native OpenFlow on real Open vSwitch', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'pn-of14-'));
  // Its own network namespace: a userspace datapath's tap device is one per namespace.
  const netns = `pnof${process.pid}`;
  const options = resolveOvsOptions({
    runDir,
    dbSocket: join(runDir, 'db.sock'),
    timeoutMs: 10_000,
  });
  const ofctl = new Ofctl(options);
  const env = { ...process.env, OVS_RUNDIR: runDir };
  const sh = (file: string, args: string[], input?: string) =>
    execFileSync(file, args, { env, input, encoding: 'utf8' });
  const vsctl = (...args: string[]) => sh('ovs-vsctl', [`--db=unix:${options.dbSocket}`, ...args]);
  const ofctlCli = (...args: string[]) => sh('ovs-ofctl', ['-O', 'OpenFlow14', ...args]);
  const mgmt = (bridge: string) => `unix:${join(runDir, `${bridge}.mgmt`)}`;
  // Both bridges carry flows written for one logical bridge (cookies and zone from its name).
  const lines = [...corpusLines('fm0'), ...handoverCorpusLines()];

  const bridge = (name: string) => {
    vsctl(
      'add-br',
      name,
      '--',
      'set',
      'Bridge',
      name,
      'datapath_type=netdev',
      'fail_mode=secure',
      'protocols=OpenFlow10,OpenFlow13,OpenFlow14',
    );
    // The same ports in the same order: the same OpenFlow numbers on both bridges.
    for (const port of CORPUS_PORTS) {
      vsctl(
        'add-port',
        name,
        `${name}-${port}`.slice(0, 15),
        '--',
        'set',
        'Interface',
        `${name}-${port}`.slice(0, 15),
        'type=internal',
      );
    }
  };

  beforeAll(() => {
    lab.assertPresent();
    sh('bash', [script('start.sh'), '--netns', netns, runDir]);
    bridge('pnof-a');
    bridge('pnof-b');
  }, 60_000);
  afterAll(async () => {
    await ofctl.close();
    sh('bash', [script('stop.sh'), '--purge', runDir]);
    sh('ip', ['netns', 'del', netns]);
  });

  /** Port names of the corpus as each bridge names them. */
  const named = (name: string, line: string) =>
    CORPUS_PORTS.reduce(
      (text, port) =>
        text.replaceAll(
          new RegExp(`(in_port=|output:)${port}(?=[, ]|$)`, 'g'),
          `$1${`${name}-${port}`.slice(0, 15)}`,
        ),
      line,
    );
  const dump = (name: string) =>
    ofctlCli('dump-flows', '--no-stats', mgmt(name))
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('OFPST_FLOW'))
      .map((l) => l.trim())
      .sort();

  it('installs every generator flow exactly as ovs-ofctl does', async () => {
    await ofctl.police('pnof-a', 1, [], { rate: { kbps: 1000, burstKb: 100 }, flows: [] });
    ofctlCli(
      'add-meter',
      mgmt('pnof-b'),
      'meter=1,kbps,burst,band=type=drop,rate=1000,burst_size=100',
    );
    await ofctl.bundle(
      'pnof-a',
      lines.map((l) => named('pnof-a', l)),
    );
    // What the driver ran before: ovs-ofctl's bundle command, packet-outs in order.
    const input = lines
      .map((l) => named('pnof-b', l))
      .map((l) => (l.startsWith('packet-out ') ? l : `flow ${l}`));
    sh('ovs-ofctl', ['-O', 'OpenFlow10', 'bundle', mgmt('pnof-b'), '-'], `${input.join('\n')}\n`);

    const [a, b] = [dump('pnof-a'), dump('pnof-b')];
    expect(a.length).toBeGreaterThan(100);
    // The packet-outs ran through the table: the learn action wrote the same flows on both.
    expect(a.some((f) => f.includes('table=5') && f.includes('idle_timeout=300'))).toBe(true);
    expect(a).toEqual(b);
  });

  it('reads flow cookies, rule counters, meters and port counters as ovs-ofctl prints them', async () => {
    const cookiesA = await ofctl.flowCookies('pnof-a');
    expect(cookiesA.size).toBeGreaterThan(5);
    expect(cookiesA).toEqual(
      parseFlowCookies(ofctlCli('dump-flows', '--no-stats', mgmt('pnof-a'))),
    );
    const rule = `cookie=${hex(RULE_BIT)}/${hex(RULE_BIT)}`;
    expect(await ofctl.ruleStats('pnof-a')).toEqual(
      parseFlowStats(ofctlCli('dump-flows', mgmt('pnof-a'), rule)),
    );
    expect(await ofctl.meters('pnof-a')).toEqual(
      parseMeters(ofctlCli('dump-meters', mgmt('pnof-a'))),
    );
    expect(await ofctl.meters('pnof-a')).toEqual(new Map([[1, { kbps: 1000, burstKb: 100 }]]));
    const ports = await ofctl.portStats('pnof-a');
    const cli = parsePortStats(ofctlCli('--names', 'dump-ports', mgmt('pnof-a')));
    const byName = (list: typeof ports) => new Map(list.map((p) => [p.port, p.rxPackets]));
    expect([...byName(ports).keys()].sort()).toEqual([...byName(cli).keys()].sort());
    await ofctl.police('pnof-a', 1, []);
    expect(await ofctl.meters('pnof-a')).toEqual(new Map());
  });

  it("changes a port's policing in one exchange: the meter's rate and the flows that use it", async () => {
    const port = `pnof-a-${CORPUS_PORTS[0]}`.slice(0, 15);
    const clear = [deleteFlows(port, 'qos')];
    const police = (kbps: number) =>
      ofctl.police('pnof-a', 7, clear, {
        rate: { kbps, burstKb: kbps / 10 },
        flows: policingFlows(port, 7),
      });
    const metered = () => dump('pnof-a').filter((flow) => flow.includes('meter:7'));
    await police(1000);
    await police(3000);
    expect((await ofctl.meters('pnof-a')).get(7)).toEqual({ kbps: 3000, burstKb: 300 });
    expect(metered()).toHaveLength(policingFlows(port, 7).length);
    await ofctl.police('pnof-a', 7, clear);
    expect((await ofctl.meters('pnof-a')).has(7)).toBe(false);
    expect(metered()).toEqual([]);
  });

  it('names the line the switch refused and applies nothing of the bundle', async () => {
    const before = dump('pnof-a');
    await expect(
      ofctl.bundle('pnof-a', [
        'add cookie=0x77,table=9,priority=1,actions=drop',
        'add table=1,priority=5,actions=meter:4242,goto_table:2',
      ]),
    ).rejects.toThrow(/meter:4242/);
    expect(dump('pnof-a')).toEqual(before);
  });

  it('opens the connection again when ovs-vswitchd restarts under it', async () => {
    const opened = ofctl.connectionsOpened('pnof-a');
    await restartVswitchd(runDir, netns);
    // A restarted switch starts with empty tables (flows are not kept across a restart).
    expect(dump('pnof-a')).toEqual([]);
    await ofctl.bundle(
      'pnof-a',
      lines.slice(0, 30).map((l) => named('pnof-a', l)),
    );
    expect(ofctl.connectionsOpened('pnof-a')).toBe(opened + 1);
    expect(dump('pnof-a').length).toBeGreaterThan(20);
  }, 60_000);
});
