import { IsBoolean, IsDefined, IsIn, IsInt, Matches, Max, Min } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { ConfigError, Env, EnvBoolean, loadConfig } from './load-config.js';

class SampleConfig {
  @Env('PORT')
  @IsInt({ message: 'must be an integer from 1 to 65535' })
  @Min(1, { message: 'must be an integer from 1 to 65535' })
  @Max(65_535, { message: 'must be an integer from 1 to 65535' })
  port: number = 3000;

  @Env('LOG_LEVEL')
  @IsIn(['info', 'debug'])
  logLevel: string = 'info';

  @Env('DATABASE_URL')
  @IsDefined({ message: 'is required' })
  @Matches(/^postgres:\/\//, { message: 'must be a postgres:// URL' })
  databaseUrl!: string;
}

class FlagConfig {
  @Env('RELAY_ENABLED')
  @EnvBoolean()
  @IsBoolean({ message: 'must be true or false' })
  relayEnabled: boolean = true;
}

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(SampleConfig, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('loadConfig', () => {
  it('maps variables to typed properties and keeps defaults for the rest', () => {
    const config = loadConfig(SampleConfig, { DATABASE_URL: 'postgres://db/x', PORT: '8080' });

    expect(config).toBeInstanceOf(SampleConfig);
    expect(config).toEqual({ port: 8080, logLevel: 'info', databaseUrl: 'postgres://db/x' });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(SampleConfig, { DATABASE_URL: 'postgres://db/x', PORT: '' }).port).toBe(3000);
  });

  it('names every bad variable once, by its env name', () => {
    expect(problemsOf({ PORT: 'notanumber', LOG_LEVEL: 'loud' })).toEqual([
      'PORT must be an integer from 1 to 65535',
      'LOG_LEVEL must be one of the following values: info, debug',
      'DATABASE_URL is required',
    ]);
  });

  it('never puts a value in the error', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://u:s3cret@db/x' });

    expect(problems).toEqual(['DATABASE_URL must be a postgres:// URL']);
    expect(() => loadConfig(SampleConfig, { DATABASE_URL: 'mysql://u:s3cret@db/x' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('s3cret') as unknown }),
    );
  });

  it.each([
    ['false', false],
    ['0', false],
    [' No ', false],
    ['true', true],
    ['1', true],
    ['YES', true],
  ])('reads the boolean %j as %s', (raw, expected) => {
    expect(loadConfig(FlagConfig, { RELAY_ENABLED: raw }).relayEnabled).toBe(expected);
  });

  it('keeps a boolean default when its variable is unset, and refuses a word it cannot read', () => {
    expect(loadConfig(FlagConfig, {}).relayEnabled).toBe(true);
    expect(() => loadConfig(FlagConfig, { RELAY_ENABLED: 'off' })).toThrow(
      'RELAY_ENABLED must be true or false',
    );
  });
});
