import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createJsonLogger } from './json-logger.js';

function capture(level: 'info' | 'debug' = 'info') {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  return { logger: createJsonLogger({ name: 'test-app', level, destination: stream }), lines };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with app, level name and Nest context', () => {
    const { logger, lines } = capture();

    logger.log('listening', 'Bootstrap');

    expect(lines).toEqual([
      expect.objectContaining({
        app: 'test-app',
        level: 'info',
        context: 'Bootstrap',
        msg: 'listening',
      }),
    ]);
  });

  it('keeps the stack of an error apart from its context', () => {
    const { logger, lines } = capture();
    const stack = new Error('boom').stack ?? '';

    logger.error('request failed', stack, 'ExceptionsHandler');

    expect(lines[0]).toMatchObject({ level: 'error', context: 'ExceptionsHandler', stack });
  });

  it('turns object messages into fields and redacts secrets at any of three depths', () => {
    const { logger, lines } = capture();

    logger.log({ msg: 'login', password: 'p1', req: { headers: { authorization: 'Bearer t' } } });

    expect(lines[0]).toMatchObject({
      msg: 'login',
      password: '[redacted]',
      req: { headers: { authorization: '[redacted]' } },
    });
  });

  it('drops lines below the configured level', () => {
    const { logger, lines } = capture('info');

    logger.debug('noise');
    logger.verbose('more noise');

    expect(lines).toEqual([]);
  });
});
