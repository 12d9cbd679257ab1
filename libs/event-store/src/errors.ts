/** Every error the event store raises carries a stable machine-readable code. */
export class EventStoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class WrongExpectedVersionError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expected: string | number,
    readonly actual: number,
  ) {
    super(
      'WRONG_EXPECTED_VERSION',
      `Stream ${streamId} is at version ${actual}, but the append expected ${String(expected)}.`,
    );
  }
}

/** Some, but not all, command ids of a request were already appended: a confused retry. */
export class PartialDuplicateError extends EventStoreError {
  constructor(readonly known: string[]) {
    super(
      'PARTIAL_DUPLICATE_COMMANDS',
      `Commands ${known.join(', ')} were already appended, but others in the same request were not.`,
    );
  }
}

/**
 * A stored command id came again with another command (another fingerprint or stream): the
 * caller reused an idempotency key. Nothing of the request was written.
 */
export class IdempotencyKeyReusedError extends EventStoreError {
  constructor(readonly commandIds: string[]) {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      `Command ids ${commandIds.join(', ')} were already used for other commands.`,
    );
  }
}

export class DuplicateEventIdError extends EventStoreError {
  constructor(streamId: string) {
    super(
      'DUPLICATE_EVENT_ID',
      `An event id appended to ${streamId} is already stored under another command.`,
    );
  }
}

export class InvalidAppendError extends EventStoreError {
  constructor(message: string) {
    super('INVALID_APPEND', message);
  }
}
