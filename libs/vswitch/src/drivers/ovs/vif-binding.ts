import type {
  HostActualState,
  HostDesiredState,
  Mirror,
  MirrorTunnel,
  Port,
} from '../../model/host-state.js';
import { NAME_PREFIXES, portName } from '../../model/naming.js';
import type { Operation } from '../../planner/operation.js';
import { hasDevice } from './device-watch.js';
import { EXT } from './ovsdb-commands.js';
import { asString, asStringMap, asUuid, asUuids, type Row } from './ovsdb-json.js';

/**
 * How a host finds a VIF's interface. `name`: it creates the port itself, named after the VIF
 * (`pnv-…`), and the hypervisor creates a device of that name. `iface-id`: the hypervisor
 * plugs the interface (libvirt's `<virtualport type='openvswitch'>`, XAPI's vif script) on the
 * network's bridge under a name of its own (`vnet3`) with `external_ids:iface-id=<VIF id>`, as
 * for OVN, and the host adopts it: the same records, flows and forwarding as a port it created.
 */
export type VifBinding = 'name' | 'iface-id';

/** The tables a binding is read from (`ovs-vsctl list`). */
export interface BindingTables {
  bridges: Row[];
  ports: Row[];
  interfaces: Row[];
}

/** A VIF's interface as the host knows it. */
interface Binding {
  bridge: string;
  vifId: string;
  vmId: string;
  /** The hypervisor's interface (absent: the VIF waits for one). */
  device?: string;
}

/**
 * The `iface-id` binding, between the planner (which names a VIF's port `pnv-…` on every host)
 * and Open vSwitch (where the hypervisor named it): operations are renamed to the plugged
 * interface, the state read back is renamed to the planner's names. A VIF with no interface
 * (with a device) on its network's bridge waits: nothing is created for it, it reads back as a
 * port not plugged, and an interface appearing for it is adopted by the next pass. An interface
 * whose device the hypervisor removes (or the whole interface) leaves flows to delete
 * (`resetPort`), and the VIF waits again; a VIF that leaves the host releases its interface
 * (`deletePort`: isolated and no longer the host's, not deleted, for it is the hypervisor's).
 */
export class IfaceIdBinding {
  /** Planner name → the interface plugged for the VIF, with a device, on a network bridge. */
  private bound = new Map<string, Binding & { device: string }>();
  /** Bound before, not now: the flows written for the device are still there. */
  private readonly gone = new Map<string, Binding & { device: string }>();
  /** VIFs the host was asked to add that have no interface. */
  private readonly waiting = new Map<string, Binding>();

  /** Re-reads which interface each VIF is plugged as; remembers those that went. */
  refresh({ bridges, ports, interfaces }: BindingTables): void {
    const portRows = new Map(ports.map((p) => [asUuid(p._uuid) ?? '', p]));
    const ifaceRows = new Map(interfaces.map((i) => [asUuid(i._uuid) ?? '', i]));
    const next = new Map<string, Binding & { device: string }>();
    for (const bridge of bridges) {
      if (!asStringMap(bridge.external_ids).has(EXT.network)) continue;
      for (const port of asUuids(bridge.ports).map((uuid) => portRows.get(uuid))) {
        const iface = ifaceRows.get(asUuids(port?.interfaces)[0] ?? '');
        const e = asStringMap(iface?.external_ids);
        const vifId = e.get('iface-id');
        if (!iface || !vifId || !hasDevice(iface)) continue;
        const name = portName(vifId);
        const vmId = e.get(EXT.vm) ?? this.waiting.get(name)?.vmId ?? '';
        next.set(name, {
          bridge: asString(bridge.name),
          vifId,
          vmId,
          device: asString(iface.name),
        });
      }
    }
    for (const [name, was] of this.bound) if (!next.has(name)) this.gone.set(name, was);
    for (const name of next.keys()) this.gone.delete(name);
    this.bound = next;
  }

  /** The interface the planner's `name` stands for (itself when there is none). */
  device(name: string): string {
    return (this.bound.get(name) ?? this.gone.get(name))?.device ?? name;
  }

  /** Planner name → the device plugged for it, for the VIFs bound now. */
  devices(): Map<string, string> {
    return new Map([...this.bound].map(([name, b]) => [name, b.device]));
  }

  /** The planner's name for an interface. */
  planned(device: string): string {
    for (const map of [this.bound, this.gone]) {
      for (const [name, b] of map) if (b.device === device) return name;
    }
    return device;
  }

  /**
   * `ops` renamed to the interfaces; those of a VIF with no interface are left out (its
   * `addPort` makes it wait), and so is such a port in mirrors and flood lists.
   */
  operations(ops: readonly Operation[]): Operation[] {
    const out: Operation[] = [];
    const present = (name: string, bridge: string) => this.bound.get(name)?.bridge === bridge;
    for (const op of ops) {
      switch (op.kind) {
        case 'addPort':
          if (present(op.port, op.bridge)) {
            this.waiting.delete(op.port);
            out.push({ ...op, port: this.device(op.port) });
          } else this.waiting.set(op.port, { bridge: op.bridge, vifId: op.vifId, vmId: op.vmId });
          break;
        case 'deletePort':
        case 'resetPort': {
          const known = this.gone.get(op.port) ?? this.bound.get(op.port);
          this.gone.delete(op.port);
          if (op.kind === 'resetPort') {
            this.waiting.set(op.port, { bridge: op.bridge, vifId: op.vifId, vmId: op.vmId });
          } else this.waiting.delete(op.port);
          if (known) out.push({ ...op, port: known.device });
          break;
        }
        case 'setMirrors':
          out.push({ ...op, mirrors: this.mirrors(op.mirrors) });
          break;
        case 'setMirrorTunnels':
          out.push({ ...op, tunnels: this.mirrorTunnels(op.tunnels) });
          break;
        case 'setBridgeFlood':
          out.push({
            ...op,
            ports: op.ports.filter((n) => present(n, op.bridge)).map((n) => this.device(n)),
            previous: op.previous.map((n) => this.device(n)),
          });
          break;
        default:
          if (!('port' in op)) out.push(op);
          else if (present(op.port, op.bridge)) out.push({ ...op, port: this.device(op.port) });
      }
    }
    return out;
  }

  /** The desired state in the switch's names: only the VIFs plugged here have a port. */
  desired(state: HostDesiredState): HostDesiredState {
    return {
      ...state,
      bridges: state.bridges.map((b) => ({
        ...b,
        ports: b.ports
          .filter((p) => this.bound.has(p.name))
          .map((p) => ({ ...p, name: this.device(p.name) })),
        mirrors: this.mirrors(b.mirrors),
        ...(b.mirrorTunnels ? { mirrorTunnels: this.mirrorTunnels(b.mirrorTunnels) } : {}),
      })),
    };
  }

  /**
   * The state read back in the planner's names, with the VIFs waiting for an interface (and
   * those whose interface went, its flows still to delete) as ports not plugged.
   */
  actual(state: HostActualState): HostActualState {
    const bridges = state.bridges.map((b) => {
      const ports = new Map<string, Port>();
      for (const p of b.ports) {
        const name = this.planned(p.name);
        const held = this.gone.has(name)
          ? { plugged: false as const, heldDevice: true as const }
          : {};
        ports.set(name, { ...p, name, ...held });
      }
      const absent = (name: string, w: Binding): Port => ({
        name,
        vifId: w.vifId,
        vmId: w.vmId,
        mac: '',
        portSecurity: false,
        forwarding: false,
        acls: [],
        plugged: false,
        ...(this.gone.has(name) ? { heldDevice: true as const } : {}),
      });
      for (const [name, w] of [...this.waiting, ...this.gone]) {
        if (w.bridge === b.name && !this.bound.has(name) && !ports.has(name)) {
          ports.set(name, absent(name, w));
        }
      }
      const mirrors = b.mirrors.map((m) => ({
        ...m,
        outputPort: this.planned(m.outputPort),
        sourcePorts: m.sourcePorts.map((n) => this.planned(n)).sort(),
      }));
      const mirrorTunnels = b.mirrorTunnels?.map((t) =>
        t.deliverTo === undefined ? t : { ...t, deliverTo: this.planned(t.deliverTo) },
      );
      return {
        ...b,
        ports: [...ports.values()].sort((x, y) => x.name.localeCompare(y.name)),
        mirrors,
        ...(mirrorTunnels ? { mirrorTunnels } : {}),
      };
    });
    return { ...state, bridges };
  }

  /** The VIFs waiting for an interface, or whose interface went: not plugged. */
  unplugged(): string[] {
    const waiting = [...this.waiting.keys()].filter((name) => !this.bound.has(name));
    return [...waiting, ...this.gone.keys()];
  }

  /** Whether a change to an interface (`device`, its `iface-id`) matters to the host. */
  concerns(vifId: string | undefined, device: string): boolean {
    if (vifId && this.waiting.has(portName(vifId))) return true;
    return [...this.bound.values(), ...this.gone.values()].some((b) => b.device === device);
  }

  private mirrors(mirrors: Mirror[]): Mirror[] {
    // A cross-host mirror's output is its GRE port, the host's own: it needs no binding.
    const tunnel = (name: string) => name.startsWith(NAME_PREFIXES.mirrorTunnel);
    return mirrors
      .filter((m) => tunnel(m.outputPort) || this.bound.has(m.outputPort))
      .map((m) => ({
        ...m,
        outputPort: tunnel(m.outputPort) ? m.outputPort : this.device(m.outputPort),
        sourcePorts: m.sourcePorts.filter((n) => this.bound.has(n)).map((n) => this.device(n)),
      }))
      .filter((m) => m.sourcePorts.length > 0);
  }

  /** A receiving mirror tunnel delivers to the monitor's interface, once it has one. */
  private mirrorTunnels(tunnels: MirrorTunnel[]): MirrorTunnel[] {
    return tunnels.flatMap((t) => {
      if (t.deliverTo === undefined) return [t];
      return this.bound.has(t.deliverTo) ? [{ ...t, deliverTo: this.device(t.deliverTo) }] : [];
    });
  }
}
