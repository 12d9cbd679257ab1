import { readFileSync } from 'node:fs';
import { credsAuthenticator, type ConnectionOptions } from '@nats-io/transport-node';
import { ConfigError } from '../config/load-config.js';

/** How a service proves who it is to NATS (a user of `deploy/nats/nats.conf`); all optional. */
export interface NatsCredentials {
  /** NATS_USER */
  user?: string;
  /** NATS_PASSWORD */
  password?: string;
  /** NATS_PASSWORD_FILE: a file holding the password (a Docker or Kubernetes secret). */
  passwordFile?: string;
  /** NATS_CREDS: a `.creds` file (user JWT and NKey seed) for a server in operator mode. */
  credsFile?: string;
}

export type NatsAuthOptions = Pick<ConnectionOptions, 'user' | 'pass' | 'authenticator'>;

/**
 * The connect options for these credentials, for the platform's `NatsClient` and for Nest's
 * NATS transport alike. Files are read now, at boot, so a missing one stops the service with a
 * clear message instead of a reconnect loop; a creds file is read again at each connect, so it
 * can be rotated in place.
 */
export function natsAuthOptions(credentials: NatsCredentials = {}): NatsAuthOptions {
  const { user, password, passwordFile, credsFile } = credentials;
  const problems: string[] = [];
  if (password !== undefined && passwordFile !== undefined) {
    problems.push('NATS_PASSWORD and NATS_PASSWORD_FILE are both set; keep one');
  }
  if ((password !== undefined || passwordFile !== undefined) && user === undefined) {
    problems.push('a NATS password needs NATS_USER');
  }
  if (credsFile !== undefined && user !== undefined) {
    problems.push('NATS_CREDS names the user itself; leave NATS_USER out');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (credsFile !== undefined) {
    const read = () => readFileSync(credsFile);
    readable(read, 'NATS_CREDS');
    return { authenticator: credsAuthenticator(read) };
  }
  if (user === undefined) return {};
  const pass =
    passwordFile === undefined
      ? password
      : readable(() => readFileSync(passwordFile, 'utf8'), 'NATS_PASSWORD_FILE').replace(
          /\r?\n$/, // files written by `echo` end in a newline that is no part of the password
          '',
        );
  return pass === undefined ? { user } : { user, pass };
}

function readable<T>(read: () => T, variable: string): T {
  try {
    return read();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError([`${variable} cannot be read (${code})`]);
  }
}

/** The NATS settings every app's config class declares (NATS_USER, NATS_PASSWORD, ...). */
export interface NatsCredentialsConfig {
  natsUser?: string;
  natsPassword?: string;
  natsPasswordFile?: string;
  natsCreds?: string;
}

export const natsCredentialsOf = (config: NatsCredentialsConfig): NatsCredentials => ({
  user: config.natsUser,
  password: config.natsPassword,
  passwordFile: config.natsPasswordFile,
  credsFile: config.natsCreds,
});
