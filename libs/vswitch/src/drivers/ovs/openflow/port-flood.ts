import { Of10Connection, Of10ConnectionLost, OpenFlowError } from './of10-connection.js';
import type { SessionKind } from './bridge-connections.js';
import { PORT_CONFIG_NO_FLOOD, type OfPortDesc } from './of10-messages.js';

export interface PortFlood {
  port: string;
  /** false: NORMAL's flood skips the port (its flooded frames go through its ACLs instead). */
  flood: boolean;
}

const floods = (port: OfPortDesc): boolean => (port.config & PORT_CONFIG_NO_FLOOD) === 0;

/** OpenFlow 1.0 sessions as BridgeConnections keeps them (the member host's, one per bridge). */
export const OF10: SessionKind<Of10Connection> = {
  open: (socketPath, timeoutMs) => Of10Connection.open(socketPath, timeoutMs),
  lost: (error) => error instanceof Of10ConnectionLost,
};

/** `work` on a session of its own, closed after it. */
async function once<T>(
  socketPath: string,
  timeoutMs: number,
  work: (connection: Of10Connection) => Promise<T>,
): Promise<T> {
  const connection = await Of10Connection.open(socketPath, timeoutMs);
  try {
    return await work(connection);
  } finally {
    connection.close();
  }
}

/** setPortFloodOn over a session of its own. */
export function setPortFlood(
  socketPath: string,
  wanted: readonly PortFlood[],
  timeoutMs: number,
): Promise<string[]> {
  if (wanted.length === 0) return Promise.resolve([]);
  return once(socketPath, timeoutMs, (connection) => setPortFloodOn(connection, wanted, timeoutMs));
}

/**
 * Sets ports' flood config over an OpenFlow 1.0 session: read every port's number, address and
 * config, change only those that differ, one barrier. Ports without an OpenFlow port (device
 * absent) are skipped and returned: the drift pass sets them once the device is there.
 */
export async function setPortFloodOn(
  connection: Of10Connection,
  wanted: readonly PortFlood[],
  timeoutMs: number,
): Promise<string[]> {
  if (wanted.length === 0) return [];
  const byName = new Map((await connection.portDescriptions(timeoutMs)).map((p) => [p.name, p]));
  const absent: string[] = [];
  const changes = [];
  for (const { port, flood } of wanted) {
    const desc = byName.get(port);
    if (!desc) absent.push(port);
    else if (floods(desc) !== flood) {
      changes.push({
        port: desc,
        config: flood ? 0 : PORT_CONFIG_NO_FLOOD,
        mask: PORT_CONFIG_NO_FLOOD,
      });
    }
  }
  await connection.modifyPorts(changes, timeoutMs);
  return absent;
}

/** noFloodPortsOn over a session of its own. */
export function noFloodPorts(socketPath: string, timeoutMs: number): Promise<Set<string>> {
  return once(socketPath, timeoutMs, (connection) => noFloodPortsOn(connection, timeoutMs));
}

/** The names of the bridge's ports whose config has NO_FLOOD. */
export async function noFloodPortsOn(
  connection: Of10Connection,
  timeoutMs: number,
): Promise<Set<string>> {
  const ports = await connection.portDescriptions(timeoutMs);
  return new Set(ports.filter((port) => !floods(port)).map((port) => port.name));
}

export { OpenFlowError };
