import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { CommandError } from '../../commands/command-errors.js';
import { parseStrictJson } from './strict-json.js';

/** The `charset` parameter of a media type, lower case and unquoted, or undefined. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  return match ? (match[1] ?? match[2] ?? '').toLowerCase() : undefined;
}

/**
 * Reads JSON bodies strictly (see strict-json.ts) in place of Fastify's parser, which ignores a
 * declared charset and decodes bad UTF-8 into U+FFFD. JSON is UTF-8 (RFC 8259 §8.1): a body
 * declared in another charset (`charset=iso-8859-1`) would be read wrongly, so it is refused
 * with 415 `UNSUPPORTED_CHARSET` rather than guessed at.
 */
export function useStrictJsonBodies(app: NestFastifyApplication, bodyLimit: number): void {
  // Nest completes a two-parameter parser with what its promise resolves to; a throw is an error.
  app.useBodyParser('application/json', { bodyLimit }, (request: FastifyRequest, body: Buffer) => {
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      throw new CommandError(
        415,
        'UNSUPPORTED_CHARSET',
        `JSON bodies are UTF-8; charset=${charset} is not taken: send the body in UTF-8.`,
        { charset },
      );
    }
    return Promise.resolve(parseStrictJson(body));
  });
}
