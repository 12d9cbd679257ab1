import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/load-config.js';
import { natsAuthOptions, type NatsCredentials } from './nats-auth.js';

const problemsOf = (credentials: NatsCredentials): readonly string[] => {
  try {
    natsAuthOptions(credentials);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('natsAuthOptions', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'poolnet-nats-auth-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('connects anonymously without credentials', () => {
    expect(natsAuthOptions()).toEqual({});
    expect(natsAuthOptions({})).toEqual({});
  });

  it('passes user and password', () => {
    expect(natsAuthOptions({ user: 'host-1', password: 's3cret' })).toEqual({
      user: 'host-1',
      pass: 's3cret',
    });
  });

  it('reads the password file at once, without its trailing newline', async () => {
    const file = join(dir, 'password');
    await writeFile(file, 'from file\n');

    expect(natsAuthOptions({ user: 'master', passwordFile: file })).toEqual({
      user: 'master',
      pass: 'from file',
    });
  });

  it('takes a creds file as an authenticator, read again at each connect', async () => {
    const file = join(dir, 'service.creds');
    await writeFile(file, 'not parsed until the server asks');

    const options = natsAuthOptions({ credsFile: file });

    expect(typeof options.authenticator).toBe('function');
    expect(options.user).toBeUndefined();
  });

  it('names every inconsistency, never a value', () => {
    expect(problemsOf({ password: 'p1', passwordFile: '/x' })).toEqual([
      'NATS_PASSWORD and NATS_PASSWORD_FILE are both set; keep one',
      'a NATS password needs NATS_USER',
    ]);
    expect(problemsOf({ user: 'u', credsFile: '/x' })).toEqual([
      'NATS_CREDS names the user itself; leave NATS_USER out',
    ]);
  });

  it('stops the boot on a file it cannot read', () => {
    expect(problemsOf({ user: 'u', passwordFile: join(dir, 'absent') })).toEqual([
      'NATS_PASSWORD_FILE cannot be read (ENOENT)',
    ]);
    expect(problemsOf({ credsFile: join(dir, 'absent.creds') })).toEqual([
      'NATS_CREDS cannot be read (ENOENT)',
    ]);
  });
});
