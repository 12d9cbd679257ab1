import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';
import { LogApiServiceConfig, PoolServiceConfig } from './service-config.js';

class AppConfig extends PoolServiceConfig {
  port: number = 1234;
}

class ApiConfig extends LogApiServiceConfig {
  port: number = 4321;
}

function problemsOf(load: () => unknown): string {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  return '';
}

describe('the shared service settings', () => {
  it('are read and defaulted through an app config that extends them', () => {
    const config = loadConfig(AppConfig, { PORT: '99', NATS_USER: 'host-1', SUBJECT_ROOT: 'lab' });
    expect(config).toMatchObject({
      port: 99,
      host: '127.0.0.1',
      logLevel: 'info',
      natsUrl: 'nats://127.0.0.1:4222',
      natsUser: 'host-1',
      subjectRoot: 'lab',
      eventsStream: 'POOLNET_EVENTS',
      reportsStream: 'POOLNET_REPORTS',
      eventsReplicas: 1,
      reportsReplicas: 1,
    });
  });

  it('take odd stream replica counts up to 5, as numbers', () => {
    const config = loadConfig(AppConfig, { EVENTS_REPLICAS: '3', REPORTS_REPLICAS: '5' });
    expect(config).toMatchObject({ eventsReplicas: 3, reportsReplicas: 5 });
    expect(() => loadConfig(AppConfig, { EVENTS_REPLICAS: '2' })).toThrow(
      /EVENTS_REPLICAS must be 1, 3 or 5/,
    );
  });

  it('are validated with the app settings, every problem named at once', () => {
    const env = { PORT: 'x', NATS_URL: 'http://nats', SUBJECT_ROOT: 'Not A Token' };
    const problems = problemsOf(() => loadConfig(AppConfig, env));
    expect(problems).toMatch(/PORT must be an integer from 1 to 65535/);
    expect(problems).toMatch(/NATS_URL must be a nats:\/\/ URL/);
    expect(problems).toMatch(/SUBJECT_ROOT must be a lowercase subject token/);
  });

  it('keep each app its own default port, validated by the shared rule', () => {
    expect(loadConfig(AppConfig, {}).port).toBe(1234);
    expect(loadConfig(ApiConfig, { DATABASE_URL: 'postgres://db/x' }).port).toBe(4321);
    expect(problemsOf(() => loadConfig(AppConfig, { PORT: '70000' }))).toMatch(
      /PORT must be an integer from 1 to 65535/,
    );
  });

  it('of a log API service require a postgres URL and read bearer tokens', () => {
    expect(problemsOf(() => loadConfig(ApiConfig, {}))).toMatch(/DATABASE_URL is required/);
    expect(problemsOf(() => loadConfig(ApiConfig, { DATABASE_URL: 'mysql://db' }))).toMatch(
      /DATABASE_URL must be a postgres:\/\/ URL/,
    );
    const config = loadConfig(ApiConfig, {
      DATABASE_URL: 'postgresql://db/pool',
      AUTH_TOKENS: 'admin:s3cret-token-value:ops',
    });
    expect(config.databaseUrl).toBe('postgresql://db/pool');
    expect(config.authTokens).toHaveLength(1);
    expect(JSON.stringify(config)).not.toContain('s3cret-token-value');
  });
});
