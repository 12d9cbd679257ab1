import { Of10Connection, OpenFlowError } from './of10-connection.js';
import { PORT_CONFIG_NO_FLOOD, type OfPortDesc } from './of10-messages.js';

export interface PortFlood {
  port: string;
  /** false: NORMAL's flood skips the port (its flooded frames go through its ACLs instead). */
  flood: boolean;
}

const floods = (port: OfPortDesc): boolean => (port.config & PORT_CONFIG_NO_FLOOD) === 0;

/**
 * Sets ports' flood config over one OpenFlow connection: read every port's number, address and
 * config, change only those that differ, one barrier. Ports without an OpenFlow port (device
 * absent) are skipped and returned: the drift pass sets them once the device is there.
 */
export async function setPortFlood(
  socketPath: string,
  wanted: readonly PortFlood[],
  timeoutMs: number,
): Promise<string[]> {
  if (wanted.length === 0) return [];
  const connection = await Of10Connection.open(socketPath, timeoutMs);
  try {
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
  } finally {
    connection.close();
  }
}

/** The names of the bridge's ports whose config has NO_FLOOD. */
export async function noFloodPorts(socketPath: string, timeoutMs: number): Promise<Set<string>> {
  const connection = await Of10Connection.open(socketPath, timeoutMs);
  try {
    const ports = await connection.portDescriptions(timeoutMs);
    return new Set(ports.filter((port) => !floods(port)).map((port) => port.name));
  } finally {
    connection.close();
  }
}

export { OpenFlowError };
