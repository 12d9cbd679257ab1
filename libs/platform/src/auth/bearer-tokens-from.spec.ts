import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, Env, loadConfig } from '../config/load-config.js';
import { BearerTokensFrom } from './bearer-tokens-from.decorator.js';
import { type TokenEntry } from './bearer-tokens.js';

const ADMIN = 'admin-token-0123456789';

class AuthConfig {
  @Env('AUTH_TOKENS')
  @BearerTokensFrom('list')
  authTokens?: TokenEntry[];

  @Env('AUTH_TOKENS_FILE')
  @BearerTokensFrom('file')
  authTokensFromFile?: TokenEntry[];
}

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(AuthConfig, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('BearerTokensFrom', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'poolnet-auth-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves both unset without the variables', () => {
    expect(loadConfig(AuthConfig, {})).toEqual({});
  });

  it('loads hashes from the variable and from the file, never the tokens', async () => {
    const file = join(dir, 'tokens');
    await writeFile(file, 'read-only reader-token-abcdef01 dashboard\n');

    const config = loadConfig(AuthConfig, {
      AUTH_TOKENS: `admin:${ADMIN}`,
      AUTH_TOKENS_FILE: file,
    });

    expect(config.authTokens?.map((t) => t.role)).toEqual(['admin']);
    expect(config.authTokensFromFile?.map((t) => t.name)).toEqual(['dashboard']);
    expect(JSON.stringify(config)).not.toMatch(/admin-token|reader-token/);
  });

  it('reports problems under the variable name, without values', () => {
    const problems = problemsOf({
      AUTH_TOKENS: `superuser:${ADMIN}`,
      AUTH_TOKENS_FILE: join(dir, 'absent'),
    });

    expect(problems).toEqual([
      'AUTH_TOKENS entry 1: the role must be admin, operator or read-only',
      'AUTH_TOKENS_FILE cannot be read (ENOENT)',
    ]);
    expect(problems.join(' ')).not.toContain(ADMIN);
  });
});
