import { createHash } from 'node:crypto';
import type { HostInterface } from '../../model/host-state.js';

/**
 * The memory datapath's model of the DHCP servers (and IPv6 routers) on the segments a host's
 * own interfaces reach, in place of dnsmasq: one server per segment (the device and VLAN the
 * interface sits on; hosts name their NICs alike, so the pool's hosts on eth0 share one), with
 * a pool derived from the segment and an address in it derived from the client (the host) and
 * the interface, so a lease is the same on every pass and differs between hosts. IPv4 `dhcp`
 * leases `10.<s>.<s>.<c>/24`; IPv6 `dhcp` leases `fd00:<s>:<s>::<c>/128` (IA_NA) and `autoconf`
 * forms `fd00:<s>:<s>::<c>:0/64`; each server hands out DNS servers `.53` / `::53` in its pool.
 * Stateless: a lease holds while the interface is configured so and goes with it.
 */
export class MemoryDhcpServers {
  constructor(
    /** Who asks (the member host's name): part of every address it is given. */
    private readonly client = 'host',
  ) {}

  /** The addresses `iface` holds in the families it leaves to DHCP or SLAAC (as `leased`). */
  leased(iface: HostInterface): string[] {
    const { v4, v6 } = this.segment(iface);
    const host = this.hostPart(iface);
    return [
      ...(iface.ipv4.mode === 'dhcp' ? [`${v4}.${host}/24`] : []),
      ...(iface.ipv6.mode === 'dhcp' ? [`${v6}::${host.toString(16)}/128`] : []),
      ...(iface.ipv6.mode === 'autoconf' ? [`${v6}::${host.toString(16)}:0/64`] : []),
    ];
  }

  /** The DNS servers `iface`'s DHCP leases carry (IPv4 first, as the OVS driver reads them). */
  dns(iface: HostInterface): string[] {
    const { v4, v6 } = this.segment(iface);
    return [
      ...(iface.ipv4.mode === 'dhcp' ? [`${v4}.53`] : []),
      ...(iface.ipv6.mode === 'dhcp' ? [`${v6}::53`] : []),
    ];
  }

  /** The segment's pools: `10.a.b` and `fd00:a:b` from a hash of its device and VLAN. */
  private segment(iface: HostInterface): { v4: string; v6: string } {
    const [a = 0, b = 0] = hash(`${iface.device}/${iface.vlan ?? 'untagged'}`);
    return { v4: `10.${a}.${b}`, v6: `fd00:${a.toString(16)}:${b.toString(16)}` };
  }

  /** 60..249: clear of the server's own addresses (.1, .53) in a /24. */
  private hostPart(iface: HostInterface): number {
    const [a = 0, b = 0] = hash(`${this.client}/${iface.name}`);
    return 60 + ((a * 256 + b) % 190);
  }
}

const hash = (text: string): Buffer => createHash('sha256').update(text).digest();
