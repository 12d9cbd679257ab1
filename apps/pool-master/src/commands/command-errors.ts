import { type WireError } from '@pool/contracts';

/** A command refused or failed, with the status and code every transport reports. */
export class CommandError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CommandError';
  }

  toWire(): WireError {
    return { status: this.status, code: this.code, message: this.message, details: this.details };
  }

  static fromWire(error: WireError): CommandError {
    return new CommandError(error.status, error.code, error.message, error.details);
  }
}

/** This replica does not (or no longer) lead the pool; the caller retries through the leader. */
export class NotLeaderError extends CommandError {
  constructor(pool: string) {
    super(503, 'NOT_LEADER', `This replica does not lead pool ${pool}; retry.`);
  }
}
