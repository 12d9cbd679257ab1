import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../../libs/vswitch/src/drivers/ovs/exec.js';
import { type NetnsLab } from '../../../libs/vswitch/src/testing/netns-lab.js';
import { waitFor } from '../apps.js';
import { pidsFromFiles, stopPid } from './pids.js';
import { parseFlowDump, type Part, type PeerSystem, type ProcessGroups } from './peer-system.js';

/**
 * OVN as Debian packages it (`ovn-central`, `ovn-host`): NB and SB `ovsdb-server`s and
 * `ovn-northd` in a run dir of the bench (unix sockets, no RAFT, no TLS), and N chassis, each a
 * lab host (a network namespace with its own userspace Open vSwitch) with its own
 * `ovn-controller`. One logical switch, one port per chassis bound to a veth on its `br-int`.
 */

export const OVN_SHARE = '/usr/share/ovn';
const SWITCH = 'ls0';
const ACL = ['to-lport', '1000', 'tcp && tcp.dst == 22'];
const mac = (i: number) =>
  `02:00:00:aa:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
const ipv4 = (i: number) => `10.77.${Math.floor(i / 250)}.${(i % 250) + 1}`;

export class OvnSide implements PeerSystem {
  readonly name = 'ovn';
  readonly hypervisorRoles = ['ovn-controller', 'ovs-vswitchd', 'ovsdb-server'];
  readonly sharedRoles = [];
  readonly calls: Record<Part, string> = {
    acl: `\`ovn-nbctl --wait=hv acl-add ${SWITCH} ${ACL.slice(0, 2).join(' ')} '${ACL[2]}' drop\`, then \`acl-del\` of it`,
    'port-security': `\`ovn-nbctl --wait=hv lsp-set-port-security p1 "<mac> <ip>"\`, then clearing it`,
    commit: 'the `acl` change with `--wait=sb` (ovn-northd compiled it into the SB)',
    floor: '`ovn-nbctl get NB_Global . nb_cfg` (process start, connect, read)',
  };
  private readonly central: string;

  constructor(
    private readonly lab: NetnsLab,
    root: string,
    readonly hypervisors: number,
  ) {
    this.central = join(root, 'ovn-central');
  }

  /** Until every port is bound and up and every chassis caught up; stop() undoes a part start. */
  async start(): Promise<void> {
    await this.startCentral();
    for (let i = 1; i <= this.hypervisors; i++) await this.startChassis(i);
    await waitFor(
      async () => (await this.portsUp()) === this.hypervisors,
      `OVN: ${this.hypervisors} logical ports up`,
    );
    await this.nbctl(['--wait=hv', 'sync']);
  }

  private async startCentral(): Promise<void> {
    const c = this.central;
    await mkdir(c, { recursive: true });
    for (const [db, remote] of [
      ['nb', 'OVN_Northbound,NB_Global'],
      ['sb', 'OVN_Southbound,SB_Global'],
    ] as const) {
      await run('ovsdb-tool', ['create', `${c}/${db}.db`, `${OVN_SHARE}/ovn-${db}.ovsschema`]);
      await run('ovsdb-server', [
        `${c}/${db}.db`,
        `--remote=punix:${c}/${db}.sock`,
        `--remote=db:${remote},connections`,
        ...daemonFlags(c, db),
      ]);
    }
    await run('ovn-northd', [
      `--ovnnb-db=unix:${c}/nb.sock`,
      `--ovnsb-db=unix:${c}/sb.sock`,
      ...daemonFlags(c, 'northd'),
    ]);
    await this.nbctl(['init']);
    await this.nbctl(['ls-add', SWITCH]);
    for (let i = 1; i <= this.hypervisors; i++) {
      await this.nbctl([
        'lsp-add',
        SWITCH,
        `p${i}`,
        '--',
        'lsp-set-addresses',
        `p${i}`,
        `${mac(i)} ${ipv4(i)}`,
      ]);
    }
  }

  private async startChassis(i: number): Promise<void> {
    const host = await this.lab.addHost(`o${i}`, []);
    const dir = host.runDir;
    const vsctl = (args: string[]) =>
      run('ovs-vsctl', [`--db=unix:${dir}/db.sock`, '--timeout=20', ...args]);
    await vsctl([
      'set',
      'Open_vSwitch',
      '.',
      `external_ids:ovn-remote=unix:${this.central}/sb.sock`,
      'external_ids:ovn-encap-type=geneve',
      `external_ids:ovn-encap-ip=10.99.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      'external_ids:ovn-bridge-datapath-type=netdev',
    ]);
    await vsctl([
      '--may-exist',
      'add-br',
      'br-int',
      '--',
      'set',
      'Bridge',
      'br-int',
      'datapath_type=netdev',
      'fail-mode=secure',
      'other-config:disable-in-band=true',
    ]);
    // The VM: a namespace on a veth whose chassis end is the port, as poolnet's VMs are.
    await this.lab.addVm(`ovm${i}`, host.id, `ovif${i}`, mac(i), `${ipv4(i)}/16`);
    await vsctl([
      'add-port',
      'br-int',
      `ovif${i}`,
      '--',
      'set',
      'Interface',
      `ovif${i}`,
      `external_ids:iface-id=p${i}`,
    ]);
    // ovn-controller finds br-int's OpenFlow socket in OVS_RUNDIR; it takes no --unixctl.
    await run(
      'ip',
      [
        'netns',
        'exec',
        host.netns,
        'ovn-controller',
        `unix:${dir}/db.sock`,
        `--pidfile=${dir}/ovn-controller.pid`,
        `--log-file=${dir}/ovn-controller.log`,
        '--detach',
        '--no-chdir',
        '-vconsole:off',
      ],
      { env: { ...process.env, OVS_RUNDIR: dir, OVN_RUNDIR: dir } },
    );
  }

  private async portsUp(): Promise<number> {
    const up = await this.nbctl([
      '--bare',
      '--columns=up',
      'find',
      'Logical_Switch_Port',
      'up=true',
    ]);
    return up.split('\n').filter((line) => line.trim() === 'true').length;
  }

  nbctl(args: string[]): Promise<string> {
    return run('ovn-nbctl', [`--db=unix:${this.central}/nb.sock`, '--timeout=120', ...args], {
      timeoutMs: 130_000,
    });
  }

  async change(part: Part, i: number): Promise<void> {
    const on = i % 2 === 0;
    switch (part) {
      case 'acl':
      case 'commit': {
        const wait = part === 'acl' ? '--wait=hv' : '--wait=sb';
        await this.nbctl(
          on ? [wait, 'acl-add', SWITCH, ...ACL, 'drop'] : [wait, 'acl-del', SWITCH, ...ACL],
        );
        return;
      }
      case 'port-security':
        await this.nbctl([
          '--wait=hv',
          'lsp-set-port-security',
          'p1',
          ...(on ? [`${mac(1)} ${ipv4(1)}`] : []),
        ]);
        return;
      case 'floor':
        await this.nbctl(['get', 'NB_Global', '.', 'nb_cfg']);
        return;
    }
  }

  /** `--wait=sb` returned once northd compiled it: the chassis catch up with a `--wait=hv sync`. */
  async caughtUp(): Promise<void> {
    await this.nbctl(['--wait=hv', 'sync']);
  }

  /** The run dirs of the chassis started so far. */
  private chassisDirs(): string[] {
    return Array.from({ length: this.hypervisors }, (_, k) => this.lab.hosts.get(`o${k + 1}`))
      .filter((host) => host !== undefined)
      .map((host) => host.runDir);
  }

  async processes(): Promise<ProcessGroups> {
    const c = this.central;
    const dirs = this.chassisDirs();
    return {
      'ovsdb-server NB': await pidsFromFiles([`${c}/nb.pid`]),
      'ovsdb-server SB': await pidsFromFiles([`${c}/sb.pid`]),
      'ovn-northd': await pidsFromFiles([`${c}/northd.pid`]),
      'ovn-controller': await pidsFromFiles(dirs.map((d) => `${d}/ovn-controller.pid`)),
      'ovs-vswitchd': await pidsFromFiles(dirs.map((d) => `${d}/ovs-vswitchd.pid`)),
      'ovsdb-server': await pidsFromFiles(dirs.map((d) => `${d}/ovsdb-server.pid`)),
    };
  }

  async flows(): Promise<string[][]> {
    return Promise.all(
      this.chassisDirs().map(async (dir) =>
        parseFlowDump(
          await run('ovs-ofctl', ['-O', 'OpenFlow15', 'dump-flows', `unix:${dir}/br-int.mgmt`]),
        ),
      ),
    );
  }

  /** Its own daemons, by the pid files they wrote; the chassis' switches go with the lab. */
  async stop(): Promise<void> {
    const c = this.central;
    // ovn-controllers take a while each: all at once.
    const controllers = await pidsFromFiles(
      this.chassisDirs().map((d) => `${d}/ovn-controller.pid`),
    );
    await Promise.all(controllers.map((pid) => stopPid(pid)));
    for (const name of ['northd', 'nb', 'sb']) {
      for (const pid of await pidsFromFiles([`${c}/${name}.pid`])) await stopPid(pid);
    }
  }
}

/** Detached, with every file in the run dir, its console quiet. */
function daemonFlags(dir: string, name: string): string[] {
  return [
    `--pidfile=${dir}/${name}.pid`,
    `--unixctl=${dir}/${name}.ctl`,
    `--log-file=${dir}/${name}.log`,
    '--detach',
    '--no-chdir',
    '-vconsole:off',
  ];
}
