import { describe, expect, it } from 'vitest';
import { HealthRegistry } from './health.registry.js';

describe('HealthRegistry', () => {
  it('is ok when every check resolves', async () => {
    const registry = new HealthRegistry();
    registry.register('postgres', () => Promise.resolve());

    await expect(registry.run()).resolves.toMatchObject({
      status: 'ok',
      checks: { postgres: { status: 'up' } },
    });
  });

  it('reports the failing check with its reason, and times out a hung one', async () => {
    const registry = new HealthRegistry();
    registry.register('postgres', () => Promise.resolve());
    registry.register('nats', () => Promise.reject(new Error('not connected')));
    registry.register('slow', () => new Promise(() => undefined), { timeoutMs: 20 });

    await expect(registry.run()).resolves.toMatchObject({
      status: 'error',
      checks: {
        postgres: { status: 'up' },
        nats: { status: 'down', error: 'not connected' },
        slow: { status: 'down', error: 'timed out after 20 ms' },
      },
    });
  });

  it('refuses a second check under the same name', () => {
    const registry = new HealthRegistry();
    registry.register('nats', () => Promise.resolve());

    expect(() => registry.register('nats', () => Promise.resolve())).toThrow(/already registered/);
  });
});
