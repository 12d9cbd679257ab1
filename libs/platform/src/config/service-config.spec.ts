import { IsInt } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { ConfigError, Env, loadConfig } from './load-config.js';
import { PoolServiceConfig } from './service-config.js';

class AppConfig extends PoolServiceConfig {
  @Env('PORT')
  @IsInt()
  port: number = 1234;
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
    const problems = (() => {
      try {
        loadConfig(AppConfig, env);
      } catch (err) {
        if (err instanceof ConfigError) return err.problems.join('\n');
        throw err;
      }
      return '';
    })();
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/NATS_URL must be a nats:\/\/ URL/);
    expect(problems).toMatch(/SUBJECT_ROOT must be a lowercase subject token/);
  });
});
