import { Of14Connection, OpenFlowConnectionLost } from './of14-connection.js';

/** Waits before each new attempt after a lost connection: ovs-vswitchd takes a moment to return. */
const RECONNECT_DELAYS_MS = [0, 100, 300, 1000];

/**
 * One long-lived OpenFlow 1.4 connection per bridge, opened on first use and opened again when
 * it is lost (ovs-vswitchd restarted, the bridge re-created). Work that fails because the
 * connection went away is run again on a new one: a bundle that never committed is discarded by
 * the switch with its connection, and one that did is made of adds and deletes, which applied
 * twice leave the same table (a packet-out may leave twice).
 */
export class BridgeConnections {
  private readonly connections = new Map<string, Promise<Of14Connection>>();

  constructor(
    private readonly socketOf: (bridge: string) => string,
    private readonly timeoutMs: number,
  ) {}

  async use<T>(bridge: string, work: (connection: Of14Connection) => Promise<T>): Promise<T> {
    let lost: unknown;
    for (const delay of RECONNECT_DELAYS_MS) {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const opened = this.connection(bridge);
      try {
        return await work(await opened);
      } catch (error) {
        if (!(error instanceof OpenFlowConnectionLost)) throw error;
        lost = error;
        if (this.connections.get(bridge) === opened) this.connections.delete(bridge);
      }
    }
    throw lost;
  }

  /** How many times a bridge's connection was opened (a restart shows as a second). */
  readonly opened = new Map<string, number>();

  private connection(bridge: string): Promise<Of14Connection> {
    const known = this.connections.get(bridge);
    if (known) return known;
    const opening = Of14Connection.open(this.socketOf(bridge), this.timeoutMs);
    this.connections.set(bridge, opening);
    this.opened.set(bridge, (this.opened.get(bridge) ?? 0) + 1);
    opening.then(
      (connection) =>
        connection.broken.catch(() => {
          if (this.connections.get(bridge) === opening) this.connections.delete(bridge);
        }),
      () => {
        if (this.connections.get(bridge) === opening) this.connections.delete(bridge);
      },
    );
    return opening;
  }

  /** Closes every connection (the driver is done with the switch). */
  async close(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    for (const opening of all) (await opening.catch(() => undefined))?.close();
  }
}
