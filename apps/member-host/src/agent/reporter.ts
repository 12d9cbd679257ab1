import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { HostReport } from '@pool/contracts';
import { errorMessage } from './serial.js';

/**
 * Publishes host reports to `<root>.<pool>.hosts.<host>.reports`, which the reports stream
 * stores. `soon()` never blocks the apply loop: while one report is in flight, later requests
 * fold into the next, which reads the agent's status when it is built, so the newest version
 * always goes out.
 *
 * The report after each applied version is a plain publish: at 1,000 hosts every command brings
 * 1,000 of them, and waiting for the stream's ack of each would double the messages and cost
 * every host a request (inbox, timer) per event. Losing one (NATS away) delays nothing for
 * long: the next version's report, or the periodic full one, says the same and more. The full
 * report waits for the stream's ack, so a host that cannot reach the stream finds out.
 */
export class Reporter {
  private readonly js: JetStreamClient;
  private inFlight: Promise<void> | undefined;
  private again = false;
  sent = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subject: string,
    /** The applied report (`full` false) comes back at once: it is published in the caller's turn. */
    private readonly build: (full: boolean) => HostReport | Promise<HostReport>,
    private readonly onError: (message: string) => void,
  ) {
    this.js = jetstream(nc);
  }

  soon(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = this.send(false).finally(() => {
      this.inFlight = undefined;
      if (this.again) {
        this.again = false;
        this.soon();
      }
    });
  }

  /** A full report (with counters), acknowledged by the stream: on the report timer. */
  async full(): Promise<void> {
    await this.inFlight;
    await this.send(true);
  }

  /**
   * Until its first await, this runs in the caller's turn: an applied report built at once is
   * published there, next to whatever else the caller just published (the event's ack), and
   * the NATS client writes them together.
   */
  private async send(full: boolean): Promise<void> {
    try {
      const built = this.build(full);
      const report = JSON.stringify(built instanceof Promise ? await built : built);
      if (full) await this.js.publish(this.subject, report, { timeout: 5_000 });
      else this.nc.publish(this.subject, report);
      this.sent++;
    } catch (error) {
      this.onError(`report not published: ${errorMessage(error)}`);
    }
  }
}
