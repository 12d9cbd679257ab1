import type { JetStreamClient } from '@nats-io/jetstream';
import type { HostReport } from '@pool/contracts';
import { errorMessage } from './serial.js';

/**
 * Publishes host reports to JetStream (`<root>.<pool>.hosts.<host>.reports`). `soon()` never
 * blocks the apply loop: while one report is in flight, later requests fold into the next,
 * which reads the agent's status when it is built, so the newest version always goes out.
 */
export class Reporter {
  private inFlight: Promise<void> | undefined;
  private again = false;
  sent = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly subject: string,
    private readonly build: (full: boolean) => Promise<HostReport>,
    private readonly onError: (message: string) => void,
  ) {}

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

  /** A full report (with counters): on the report timer. */
  async full(): Promise<void> {
    await this.inFlight;
    await this.send(true);
  }

  private async send(full: boolean): Promise<void> {
    try {
      const report = await this.build(full);
      await this.js.publish(this.subject, JSON.stringify(report), { timeout: 5_000 });
      this.sent++;
    } catch (error) {
      this.onError(`report not published: ${errorMessage(error)}`);
    }
  }
}
