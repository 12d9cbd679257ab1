import type { HostActualState } from '../../model/host-state.js';
import { deviceBridged } from '../../model/uplink-touch.js';

/**
 * A fault hook of the memory datapath: "this change cuts the host off". Given the NIC the
 * host's management traffic (its way to NATS) leaves by, the path is cut while that NIC is
 * enslaved to a bridge (an uplink bridge's NIC or a bond member), as on a real host whose
 * management address stays on the NIC when Open vSwitch takes it; the listeners hear each
 * change, and the member host's test wiring drops its NATS connection on a cut. Unset (the
 * default), nothing is ever cut.
 */
export class ManagementPathModel {
  private device: string | undefined;
  private cut = false;
  private readonly listeners = new Set<(cut: boolean) => void>();

  /** The NIC the management path leaves by; `undefined` turns the model off. */
  leavesBy(device: string | undefined): void {
    this.device = device;
  }

  get isCut(): boolean {
    return this.cut;
  }

  onChange(listener: (cut: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called after every apply; reads the datapath only when the model is on. */
  observe(read: () => HostActualState): void {
    const cut = this.device !== undefined && deviceBridged(read(), this.device);
    if (cut === this.cut) return;
    this.cut = cut;
    for (const listener of this.listeners) listener(cut);
  }
}
