import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../drivers/ovs/exec.js';
import { OvsVSwitchDriver } from '../drivers/ovs/ovs-driver.js';
import type { OvsDriverOptions } from '../drivers/ovs/ovs-options.js';
import { digest } from '../model/canonical.js';
import { desiredState } from '../model/desired-state.js';
import { portName } from '../model/naming.js';
import type { PoolTopology } from '../model/topology.js';
import { reconcile } from '../reconcile.js';
import { NO_TX_CHECKSUM, TCP_ECHO_CLIENT, TCP_ECHO_SERVER } from './netns-scripts.js';

/** A TCP connection kept open by a client in a VM namespace, to echo over later. */
export interface TcpSession {
  /** "ok" when the connection carried its first echo, "fail" otherwise. */
  first: string;
  echo(): Promise<string>;
  close(): void;
}

/** scripts/ovs/<name> of the repository, from the sources or from the build (dist/). */
function script(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'scripts', 'ovs', name))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`scripts/ovs/${name} not found above the lab`);
    dir = parent;
  }
  return join(dir, 'scripts', 'ovs', name);
}

/** Debian's interpreter: python3-scapy installs for it, not for a python3 earlier on PATH. */
export const SCAPY_PYTHON = '/usr/bin/python3';

/** Why scapy cannot craft frames here, or null (for test/support/real-part.ts). */
export function missingScapy(): string | null {
  try {
    execFileSync(SCAPY_PYTHON, ['-c', 'import scapy.all'], { stdio: 'ignore' });
    return null;
  } catch {
    return `scapy not importable by ${SCAPY_PYTHON} (apt-get install python3-scapy)`;
  }
}

export interface LabHost {
  id: string;
  netns: string;
  runDir: string;
  driver: OvsVSwitchDriver;
}

/**
 * A pool on one machine, for integration tests (needs root, iproute2 and Open vSwitch; not
 * exported from the package index). Each host is a network namespace with its own userspace
 * OVS, so hosts cannot see each other's bridges; each host NIC is a veth into a "physical switch"
 * namespace whose Linux bridge carries VLAN tags untouched; each VM is a namespace plugged into
 * its host by a veth named after its port. No traffic leaves the namespaces.
 */
export class NetnsLab {
  readonly hosts = new Map<string, LabHost>();
  private readonly namespaces: string[] = [];
  private readonly children: ChildProcess[] = [];
  /** Veths in the test's own namespace (addLinkToTest). */
  private readonly testLinks: string[] = [];
  private root = '';
  readonly phys: string;

  constructor(private readonly prefix = `pn${process.pid}`) {
    this.phys = `${prefix}-phys`;
  }

  async start(): Promise<void> {
    this.root = await mkdtemp(join(tmpdir(), 'poolnet-lab-'));
    await this.namespace(this.phys);
    await ip(['-n', this.phys, 'link', 'add', 'sw', 'type', 'bridge']);
    await ip(['-n', this.phys, 'link', 'set', 'sw', 'up']);
  }

  /** `options`: further driver options (a DHCP client's state dir). */
  async addHost(
    id: string,
    nics: string[] = ['eth0'],
    options: Omit<OvsDriverOptions, 'runDir' | 'netns'> = {},
  ): Promise<LabHost> {
    const netns = `${this.prefix}-${id}`;
    await this.namespace(netns);
    const runDir = join(this.root, id);
    await run('bash', [script('start.sh'), '--netns', netns, runDir]);
    for (const nic of nics) {
      const far = this.nicOf(id, nic);
      await ip([
        'link',
        'add',
        nic,
        'netns',
        netns,
        'type',
        'veth',
        'peer',
        'name',
        far,
        'netns',
        this.phys,
      ]);
      await ip(['-n', this.phys, 'link', 'set', far, 'master', 'sw', 'up']);
      await ip(['-n', netns, 'link', 'set', nic, 'up']);
    }
    const driver = new OvsVSwitchDriver({ ...options, runDir, netns });
    const host = { id, netns, runDir, driver };
    this.hosts.set(id, host);
    return host;
  }

  /** A VM (or one instance of it, during a migration) as a namespace on `hostId`. */
  async addVm(
    name: string,
    hostId: string,
    port: string,
    mac: string,
    cidr: string,
  ): Promise<string> {
    const host = this.host(hostId);
    const netns = `${this.prefix}-${name}`;
    await this.namespace(netns);
    await ip([
      'link',
      'add',
      port,
      'netns',
      host.netns,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      netns,
    ]);
    await ip(['-n', netns, 'link', 'set', 'eth0', 'address', mac]);
    await ip(['-n', netns, 'addr', 'add', cidr, 'dev', 'eth0']);
    await ip(['-n', netns, 'link', 'set', 'eth0', 'up']);
    // The host side is a switch port, not an interface of the host: without this, its kernel
    // sends IPv6 router solicitations out of it, which count as traffic the switch sent.
    await run('ip', [
      'netns',
      'exec',
      host.netns,
      'sysctl',
      '-qw',
      `net.ipv6.conf.${port}.disable_ipv6=1`,
    ]);
    await ip(['-n', host.netns, 'link', 'set', port, 'up']);
    return netns;
  }

  /** The far end of a host's NIC: its port on the physical switch. */
  nicOf(hostId: string, nic = 'eth0'): string {
    return `${hostId}-${nic}`.slice(0, 15);
  }

  /** The physical switch port the switch last saw `mac` behind, from its forwarding database. */
  async switchPortOf(mac: string): Promise<string | undefined> {
    const fdb = await run('bridge', ['-n', this.phys, 'fdb', 'show', 'br', 'sw']);
    for (const line of fdb.split('\n')) {
      const [address, , device] = line.trim().split(/\s+/);
      if (address === mac.toLowerCase() && !line.includes('permanent')) return device;
    }
    return undefined;
  }

  /** An address on the physical switch itself: what a VM reaches only through an uplink. */
  async addOutsider(cidr: string): Promise<void> {
    await ip(['-n', this.phys, 'addr', 'add', cidr, 'dev', 'sw']);
  }

  /**
   * A veth from the test's own namespace into the physical switch, holding `cidr` on this end:
   * a process the test runs (a NATS server, a proxy to one) is then reachable from the hosts
   * through their NICs only, their management interfaces included (internal ports, which get
   * what the userspace datapath forwards: transmit checksums are off on this end, or a TCP
   * segment would reach them with the checksum veth left to the hardware). Returns the
   * device's name; it goes at stop.
   */
  async addLinkToTest(cidr: string): Promise<string> {
    const near = `${this.prefix}-t`.slice(0, 15);
    await ip(['link', 'add', near, 'type', 'veth', 'peer', 'name', 'test', 'netns', this.phys]);
    this.testLinks.push(near);
    await ip(['-n', this.phys, 'link', 'set', 'test', 'master', 'sw', 'up']);
    await ip(['addr', 'add', cidr, 'dev', near]);
    await ip(['link', 'set', near, 'up']);
    // As a VM's (noTxChecksum): the hosts' userspace datapaths pass TCP on to internal ports.
    await run('python3', ['-c', NO_TX_CHECKSUM, near]);
    return near;
  }

  /**
   * Converges every host on `topology` and checks that OVS reads back exactly the desired
   * state and that nothing is left to plan.
   */
  async converge(topology: PoolTopology): Promise<void> {
    for (const host of this.hosts.values()) {
      const desired = desiredState(topology, host.id);
      await reconcile(host.driver, desired);
      const [want, got] = [digest(desired), digest(await host.driver.readActual())];
      if (got !== want) throw new Error(`${host.id} reads back ${got}, not the desired ${want}`);
      const left = await reconcile(host.driver, desired);
      if (left.length > 0) throw new Error(`${host.id} still plans ${JSON.stringify(left)}`);
    }
  }

  /**
   * Turns off transmit checksum offload on a VM's eth0: a veth leaves TCP checksums for the
   * hardware, the userspace datapath forwards the frame as it is, and the receiver drops it.
   */
  async noTxChecksum(netns: string): Promise<void> {
    await this.exec(netns, ['python3', '-c', NO_TX_CHECKSUM]);
  }

  /**
   * The VMs of a test's table (VM → [host, MAC number, IPv4]), each on its VIF `v-<vm>`'s port,
   * with transmit checksums off (raw probes); returns each VM's namespace.
   */
  async addVms<Vm extends string>(
    vms: Record<Vm, readonly [host: string, n: number, ipv4: string, ...rest: unknown[]]>,
    mac: (n: number) => string,
  ): Promise<Record<Vm, string>> {
    const namespaces = {} as Record<Vm, string>;
    for (const [vm, [host, n, ipv4]] of Object.entries(vms) as [
      Vm,
      readonly [string, number, string],
    ][]) {
      namespaces[vm] = await this.addVm(vm, host, portName(`v-${vm}`), mac(n), `${ipv4}/24`);
      await this.noTxChecksum(namespaces[vm]);
    }
    return namespaces;
  }

  /** A TCP echo server in the VM, one thread per connection, until the lab stops. */
  serveTcpEcho(netns: string, port: number): void {
    this.python(netns, TCP_ECHO_SERVER, [String(port)]);
  }

  /** True when a fresh TCP connection from `netns` to `address:port` carries one echo. */
  async connects(netns: string, address: string, port: number): Promise<boolean> {
    const session = await this.openTcp(netns, address, port);
    const ok = session.first === 'ok' && (await session.echo()) === 'ok';
    session.close();
    return ok;
  }

  /** A TCP connection kept open, to echo over later (a failed connect's first echo: "fail"). */
  async openTcp(netns: string, address: string, port: number): Promise<TcpSession> {
    const child = this.python(netns, TCP_ECHO_CLIENT, [address, String(port)]);
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const next = async () => {
      const line = await lines.next();
      return line.done ? 'fail' : String(line.value);
    };
    const echo = () => {
      child.stdin!.write('ping\n');
      return next();
    };
    const first = await echo();
    return { first, echo, close: () => child.kill() };
  }

  /** True when any of three echo requests is answered. */
  async ping(fromNetns: string, address: string): Promise<boolean> {
    await ip(['-n', fromNetns, 'neigh', 'flush', 'all']);
    return run('ip', [
      'netns',
      'exec',
      fromNetns,
      'ping',
      '-c',
      '3',
      '-i',
      '0.2',
      '-W',
      '1',
      '-q',
      address,
    ]).then(
      () => true,
      () => false,
    );
  }

  /** Fraction of `count` large echo requests lost, sent 10 ms apart. */
  async floodLoss(fromNetns: string, address: string, count = 40): Promise<number> {
    const out = await run('ip', [
      'netns',
      'exec',
      fromNetns,
      'ping',
      '-c',
      String(count),
      '-i',
      '0.01',
      '-s',
      '1400',
      '-W',
      '1',
      '-q',
      address,
    ]).catch((error: unknown) => String(error));
    const received = /(\d+) received/.exec(out)?.[1];
    return 1 - Number(received ?? 0) / count;
  }

  async exec(netns: string, command: string[]): Promise<string> {
    return run('ip', ['netns', 'exec', netns, ...command]);
  }

  vsctl(hostId: string, args: string[]): Promise<string> {
    return run('ovs-vsctl', [`--db=unix:${this.host(hostId).runDir}/db.sock`, ...args]);
  }

  ofctl(hostId: string, command: string, bridge: string, args: string[] = []): Promise<string> {
    const target = `unix:${this.host(hostId).runDir}/${bridge}.mgmt`;
    return run('ovs-ofctl', ['-O', 'OpenFlow14', command, target, ...args]);
  }

  host(id: string): LabHost {
    const host = this.hosts.get(id);
    if (!host) throw new Error(`no lab host ${id}`);
    return host;
  }

  /** A Python script run in a namespace, stopped with the lab. */
  python(netns: string, script: string, args: string[], python = 'python3'): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', netns, python, '-u', '-c', script, ...args], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    this.children.push(child);
    return child;
  }

  /** Stops every switch and deletes every namespace (their veths go with them). */
  async stop(): Promise<void> {
    for (const child of this.children) child.kill();
    for (const host of this.hosts.values()) {
      await run('bash', [script('stop.sh'), '--purge', host.runDir]).catch(() => undefined);
    }
    for (const link of this.testLinks.splice(0)) {
      await ip(['link', 'del', link]).catch(() => undefined);
    }
    for (const netns of this.namespaces.reverse()) {
      await ip(['netns', 'del', netns]).catch(() => undefined);
    }
    if (this.root) await rm(this.root, { recursive: true, force: true });
  }

  private async namespace(name: string): Promise<void> {
    await ip(['netns', 'add', name]);
    this.namespaces.push(name);
    await ip(['-n', name, 'link', 'set', 'lo', 'up']);
  }
}

const ip = (args: string[]) => run('ip', args);
