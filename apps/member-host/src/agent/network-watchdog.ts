import { errorMessage } from './serial.js';

/**
 * After a change to the host's uplinks or bonds, the host must still reach the pool's control
 * plane: `probe` is one round trip (NATS PING/PONG and a JetStream request, see
 * member-host.service), tried again until it answers or `boundMs` has passed (VMware's
 * distributed switch waits about 30 s before rolling back; so does the default here).
 */
export class NetworkWatchdog {
  constructor(
    private readonly probe: () => Promise<void>,
    readonly boundMs: number,
  ) {}

  /** Resolves `undefined` once a probe answers in time, or the reason none did. */
  async confirm(): Promise<string | undefined> {
    const deadline = Date.now() + this.boundMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      const left = deadline - Date.now();
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        this.probe().then(
          () => 'ok' as const,
          (error: unknown) => errorMessage(error),
        ),
        new Promise<string>((resolve) => (timer = setTimeout(resolve, left, 'timed out'))),
      ]);
      clearTimeout(timer);
      if (outcome === 'ok') return undefined;
      last = outcome;
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, deadline - Date.now())));
    }
    return `the pool's NATS did not answer within ${this.boundMs} ms after the change (${last})`;
  }
}
