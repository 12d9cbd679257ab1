import { ExitCode } from './exit-codes.js';

/** A failure `poolctl` reports as `poolctl: <message> (<code>)` and exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    readonly exitCode: ExitCode,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** An answer of the master or the projection with a 4xx or 5xx status and its `{code, message}`. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(exitCodeOfStatus(status), code, message, details);
  }
}

export const exitCodeOfStatus = (status: number): ExitCode =>
  status === 401 || status === 403
    ? ExitCode.Auth
    : status >= 400 && status < 500
      ? ExitCode.Refused
      : ExitCode.Unavailable;

export const usageError = (message: string): CliError =>
  new CliError(ExitCode.Usage, 'USAGE', message);

/** What the user reads on stderr: the API's sentence, then its code. */
export const formatError = (error: CliError): string => `poolctl: ${error.message} (${error.code})`;

/** Anything thrown, as a CliError; a bug is reported as one, never as a stack trace. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(ExitCode.Unavailable, 'INTERNAL', `unexpected failure: ${message}`);
}
