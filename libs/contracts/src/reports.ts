/** What a member host publishes on `<root>.<pool>.hosts.<host>.reports` (DESIGN §4). */
export interface HostReport {
  pool: string;
  host: string;
  /** The last pool version the host applied and made durable. */
  appliedVersion: number;
  /** Digest of the host's desired state at `appliedVersion`, comparable with the master's. */
  digest: string;
  at: string;
  ports?: { vif: string; ready: boolean; forwarding: boolean }[];
  drift?: { kind: string; object: string; repaired: boolean }[];
  counters?: {
    port: string;
    rxPackets: number;
    txPackets: number;
    rxBytes: number;
    txBytes: number;
  }[];
}
