/** What `poolctl` exits with; scripts branch on these, so they never change meaning. */
export const ExitCode = {
  Ok: 0,
  /** The API refused the request: bad input (400), unknown id (404), conflict (409), stale (412). */
  Refused: 1,
  /** The command line itself is wrong: unknown verb or option, missing or malformed value. */
  Usage: 2,
  /** No answer in time: a service unreachable, a timeout (hosts not converged), a 5xx. */
  Unavailable: 3,
  /** The token is missing, unknown (401) or not allowed to do this (403). */
  Auth: 4,
  /** Accepted, then failed: the migration was aborted. */
  Aborted: 5,
  /** A name given for an id matches several objects: give one of the ids it lists. */
  Ambiguous: 6,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  refused by the API (400 invalid, 404 unknown id, 409 conflict, 412 stale version)
  2  usage error (unknown verb or option, malformed value)
  3  unavailable: master or projection unreachable, timed out (hosts not converged), 5xx
  4  authentication or authorization refused (401, 403)
  5  accepted, then failed (a migration aborted)
  6  ambiguous: a name matches several objects (the error lists their ids)`;
