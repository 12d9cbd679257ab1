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

/** One of a VM's VIFs. */
export interface VmVifView extends VifPolicyView {
  id: string;
  device: number;
  mac: string;
  networkId: string;
  /** Its own addresses (`ipv4`, `ipv6`, further ones), IPv4 first; empty when it has none. */
  ips: string[];
}
