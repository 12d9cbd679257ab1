import { Env, EnvBoolean, PoolServiceConfig } from '@pool/platform';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { hostname } from 'node:os';

const VIF_BINDINGS = ['name', 'iface-id'] as const;

export const DRIVERS = ['memory', 'ovs'] as const;
export type Driver = (typeof DRIVERS)[number];

// Pool and host ids are NATS subject tokens (poolnet.<pool>.hosts.<host>.reports).
const SUBJECT_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const TOKEN_MESSAGE = 'must be 1-64 letters, digits, "-" or "_"';
const DEVICE_LIST = /^[A-Za-z0-9_.:-]{1,15}(,[A-Za-z0-9_.:-]{1,15})*$/;

/** Every setting of a member host, read from the environment once at boot. */
export class MemberHostConfig extends PoolServiceConfig {
  port: number = 3100;

  /** No default: a host that silently joined the wrong pool would be worse than not booting. */
  @Env('POOL_ID')
  @IsDefined({ message: 'is required' })
  @Matches(SUBJECT_TOKEN, { message: TOKEN_MESSAGE })
  poolId!: string;

  /** The host's id in the pool (and its name when it joins). */
  @Env('HOST_NAME')
  @Matches(SUBJECT_TOKEN, { message: TOKEN_MESSAGE })
  hostName: string = hostname().split('.')[0] ?? '';

  /** The address the pool records for this host (management address); default: the hostname. */
  @Env('HOST_ADDRESS')
  @IsString()
  @IsNotEmpty()
  hostAddress: string = hostname();

  /** `memory` by default so a developer machine never touches its own Open vSwitch. */
  @Env('DRIVER')
  @IsIn(DRIVERS, { message: `must be one of ${DRIVERS.join(', ')}` })
  driver: Driver = 'memory';

  /** Where the applied version and local state persist, so the host boots without the master. */
  @Env('STATE_DIR')
  @IsString()
  @IsNotEmpty()
  stateDir: string = 'var/member-host';

  /**
   * The NIC inventory as JSON (`{ managementDevice?, pifs: [{ device, mac, mtu, speedMbps,
   * carrier }] }` or just the list). Memory driver: default one `eth0` with a MAC derived from
   * pool and host. Open vSwitch driver: default read from the system (see PIF_DEVICES).
   */
  @Env('NIC_INVENTORY_FILE')
  @IsOptional()
  @IsString()
  nicInventoryFile?: string;

  /**
   * The devices that are PIFs (comma-separated). `ovs`: default every physical NIC; `memory`:
   * the datapath's NICs, default `eth0`.
   */
  @Env('PIF_DEVICES')
  @IsOptional()
  @Matches(DEVICE_LIST, { message: 'must be a comma-separated list of device names' })
  pifDevices?: string;

  /** The PIF the host is managed through; default the first of the inventory. */
  @Env('MANAGEMENT_DEVICE')
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.:-]{1,15}$/, { message: 'must be a device name' })
  managementDevice?: string;

  /** `ovs`: the network namespace the NICs live in, when not the service's own (simulated hosts). */
  @Env('NETNS')
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'must be a network namespace name' })
  netns?: string;

  /** `ovs`: ovs-vswitchd's run directory (OVS_RUNDIR). */
  @Env('OVS_RUN_DIR')
  @IsString()
  @IsNotEmpty()
  ovsRunDir: string = '/var/run/openvswitch';

  /**
   * `ovs`: how a VIF finds its interface. `name`: the host creates its port, named as the read
   * API shows it, for the hypervisor's device of that name. `iface-id`: the hypervisor plugs the
   * interface on the network's bridge with `external_ids:iface-id=<VIF id>` (libvirt's
   * `<virtualport type='openvswitch'>`) and the host adopts it, creating none.
   */
  @Env('VIF_BINDING')
  @IsIn(VIF_BINDINGS, { message: `must be one of ${VIF_BINDINGS.join(', ')}` })
  vifBinding: (typeof VIF_BINDINGS)[number] = 'name';

  /**
   * The BFD interval on each overlay tunnel, in ms (both ends send and expect one that often;
   * three missed and the tunnel reads down in the host's report). 0 turns BFD off. `memory`:
   * only with MEMORY_UNDERLAY_DIR, the modelled BFD's interval.
   */
  @Env('TUNNEL_BFD_MS')
  @IsInt()
  @Min(0)
  @Max(60_000)
  tunnelBfdMs: number = 1_000;

  /**
   * `memory`: a directory the memory datapaths of one pool's hosts share as their underlay (a
   * test pool, a demo on one machine): each host's modelled BFD beats there, so a host stopped,
   * or cut off by a test, reads `unreachable` in its peers' reports (shared-underlay.ts).
   * Unset: the memory datapath checks no tunnel's liveness.
   */
  @Env('MEMORY_UNDERLAY_DIR')
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  memoryUnderlayDir?: string;

  /** `ovs`: the OVSDB socket; default `<OVS_RUN_DIR>/db.sock`. */
  @Env('OVS_DB_SOCKET')
  @IsOptional()
  @IsString()
  ovsDbSocket?: string;

  /**
   * `ovs`: the DHCP client the host runs for each host interface in `dhcp` mode, `-4` / `-6` (ISC
   * dhclient, Debian's isc-dhcp-client), with its pid and lease files in `<STATE_DIR>/dhcp`.
   * `none`: the host runs none, and leaves such an interface to the machine's own client.
   */
  @Env('DHCP_CLIENT')
  @IsString()
  @IsNotEmpty()
  dhcpClient: string = 'dhclient';

  /**
   * Whether the host writes the resolver file from its management interface's DNS servers.
   * Default: yes with the `ovs` driver, no with `memory` (a developer's machine keeps its own).
   */
  @Env('MANAGE_RESOLV_CONF')
  @IsOptional()
  @EnvBoolean()
  @IsBoolean({ message: 'must be true or false' })
  manageResolvConf?: boolean;

  /** The resolver file the host writes (MANAGE_RESOLV_CONF). */
  @Env('RESOLV_CONF')
  @IsString()
  @IsNotEmpty()
  resolvConf: string = '/etc/resolv.conf';

  /** A report goes out after every applied batch, and at least this often. */
  @Env('REPORT_INTERVAL_MS')
  @IsInt()
  @Min(100)
  reportIntervalMs: number = 10_000;

  /** How often the datapath is read back and any drift repaired. */
  @Env('DRIFT_INTERVAL_MS')
  @IsInt()
  @Min(100)
  driftIntervalMs: number = 30_000;

  /**
   * How long a command the libvirt hook asked for may wait for the master's answer: libvirt
   * waits for the hook, so a master away must cost it little (the hook's own timeout is above).
   */
  @Env('HOOK_COMMAND_TIMEOUT_MS')
  @IsInt()
  @Min(100)
  @Max(60_000)
  hookCommandTimeoutMs: number = 4_000;

  /**
   * How long the host waits, after applying a change to its uplinks, bonds or host interfaces,
   * for NATS to answer before it rolls the change back (VMware's distributed switch: about 30 s).
   * 0 turns the network watchdog off.
   */
  @Env('NETWORK_WATCHDOG_MS')
  @IsInt()
  @Min(0)
  networkWatchdogMs: number = 30_000;

  /**
   * Tests only (memory driver, with TEST_HOOKS): the NIC this host's NATS traffic leaves by.
   * While the memory datapath has it in a bridge, the host's NATS connection is cut, as a real
   * host's would be (ManagementPathModel).
   */
  @Env('TEST_MANAGEMENT_PATH_DEVICE')
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.:-]{1,15}$/, { message: 'must be a device name' })
  testManagementPathDevice?: string;

  /** Exposes POST /testing/drift (memory driver): e2e tests change the datapath by hand. */
  @Env('TEST_HOOKS')
  @EnvBoolean()
  @IsBoolean({ message: 'must be true or false' })
  testHooks: boolean = false;
}
