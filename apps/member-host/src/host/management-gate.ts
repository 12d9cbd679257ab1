import { TcpRelay } from '@pool/platform';

/**
 * Tests only: the member host's NATS connection passes through this in-process relay when
 * TEST_MANAGEMENT_PATH_DEVICE is set, so the memory datapath can cut it as a change that takes
 * the management NIC into a bridge would (ManagementPathModel): `cut()` drops the connections
 * and refuses new ones, `heal()` lets them through again.
 */
export class ManagementGate {
  private constructor(
    private readonly relay: TcpRelay,
    /** `natsUrl` with the relay in place of its first server, credentials kept. */
    readonly url: string,
  ) {}

  /** Relays to the first server of `natsUrl`. */
  static async start(natsUrl: string): Promise<ManagementGate> {
    const target = new URL(natsUrl.split(',')[0]!.trim());
    const relay = await TcpRelay.start(Number(target.port || 4222), {
      targetHost: target.hostname,
    });
    const auth = target.username ? `${target.username}:${target.password}@` : '';
    return new ManagementGate(relay, `nats://${auth}${relay.host}:${relay.port}`);
  }

  cut(): void {
    this.relay.cut();
  }

  heal(): void {
    this.relay.heal();
  }

  close(): Promise<void> {
    return this.relay.close();
  }
}
