import type { VifPortView, VifSwitchNames } from './vif-ports.js';

/*
 * A VIF as the projection's read API answers it (`/api/pools/:pool/vms`, `/switch`), read by
 * poolctl and the dashboard: defined once here so the three cannot drift apart again.
 */

/**
 * Rate limits in kbit/s, bursts in kbit; a rate of 0 leaves that direction unlimited. Ingress is
 * what the VM sends into the switch (policed), egress what the switch sends to the VM (shaped).
 */
export interface VifQosView {
  ingressKbps: number;
  ingressBurstKb: number;
  egressKbps: number;
  egressBurstKb: number;
}

/** A VIF's port policy: what its host's switch enforces on the port. */
export interface VifPolicyView {
  /** null: no rate limit in either direction. */
  qos: VifQosView | null;
  /** true: the port forwards only frames from the VIF's own MAC and addresses. */
  portSecurity: boolean;
}

/**
 * Where a VIF's traffic goes: its port and bridge names (the same on every host, readable before
 * any device exists) and each host the log places its port on, two during a migration.
 */
export interface VifSwitchPortsView extends VifSwitchNames {
  ports: VifPortView[];
}

/** One of a VM's VIFs. */
export interface VmVifView extends VifPolicyView, VifSwitchPortsView {
  id: string;
  device: number;
  mac: string;
  networkId: string;
  /** Its own addresses (`ipv4`, `ipv6`, further ones), IPv4 first; empty when it has none. */
  ips: string[];
}
