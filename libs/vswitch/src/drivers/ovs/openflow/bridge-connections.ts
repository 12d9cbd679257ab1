import { Of14Connection, OpenFlowConnectionLost } from './of14-connection.js';

/** An OpenFlow session with one bridge, as BridgeConnections keeps it. */
export interface BridgeSession {
  /** Rejects once the session fails. */
  readonly broken: Promise<never>;
  close(): void;
}

/** How sessions of one kind are opened, and which of their errors say the session was lost. */
export interface SessionKind<C extends BridgeSession> {
  open(socketPath: string, timeoutMs: number): Promise<C>;
  lost(error: unknown): boolean;
}

const OF14: SessionKind<Of14Connection> = {
  open: (socketPath, timeoutMs) => Of14Connection.open(socketPath, timeoutMs),
  lost: (error) => error instanceof OpenFlowConnectionLost,
};

/** Waits before each new attempt after a lost connection: ovs-vswitchd takes a moment to return. */
const RECONNECT_DELAYS_MS = [0, 100, 300, 1000];

/**
 * One long-lived OpenFlow connection per bridge (1.4 by default; `kind` for another), opened on first use and opened again when
 * it is lost (ovs-vswitchd restarted, the bridge re-created). Work that fails because the
 * connection went away is run again on a new one: a bundle that never committed is discarded by
 * the switch with its connection, and one that did is made of adds and deletes, which applied
 * twice leave the same table (a packet-out may leave twice).
 */
export class BridgeConnections<C extends BridgeSession = Of14Connection> {
  private readonly connections = new Map<string, Promise<C>>();

  constructor(
    private readonly socketOf: (bridge: string) => string,
    private readonly timeoutMs: number,
    private readonly kind: SessionKind<C> = OF14 as unknown as SessionKind<C>,
  ) {}

  async use<T>(bridge: string, work: (connection: C) => Promise<T>): Promise<T> {
    let lost: unknown;
    for (const delay of RECONNECT_DELAYS_MS) {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const opened = this.connection(bridge);
      try {
        return await work(await opened);
      } catch (error) {
        if (!this.kind.lost(error)) throw error;
        lost = error;
        if (this.connections.get(bridge) === opened) this.connections.delete(bridge);
      }
    }
    throw lost;
  }

  /** How many times a bridge's connection was opened (a restart shows as a second). */
  readonly opened = new Map<string, number>();

  private connection(bridge: string): Promise<C> {
    const known = this.connections.get(bridge);
    if (known) return known;
    const opening = this.kind.open(this.socketOf(bridge), this.timeoutMs);
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
