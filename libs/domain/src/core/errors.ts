/** How a refusal maps to transports: `invalid` → 400, `not_found` → 404, `conflict` → 409. */
export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict';

/**
 * The one error a decider throws. `code` is machine readable (SCREAMING_SNAKE, stable once
 * published), `message` is a sentence for a human, `details` carries structured context (for
 * example the networks a host lacks).
 */
export class DomainError<Code extends string = string> extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: Code,
    readonly kind: DomainErrorKind,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
