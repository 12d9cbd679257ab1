import { randomUUID } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CommandError } from '../../commands/command-errors.js';
import { markGenerated } from '../../commands/command-fingerprint.js';
import { fieldsError, isJsonObject } from '../validate-command.js';

/** application/json and the `+json` types; the parser Fastify chose is not enough on its own. */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * The request body as a command's (partial) data: a JSON object, or `{}` when there is none.
 * Fastify also parses text/plain and Nest form bodies, so the media type is checked here.
 */
export function readBody(body: unknown, contentType: string | undefined): Record<string, unknown> {
  if (body === undefined) return {};
  if (!contentType || !JSON_TYPE.test(contentType)) {
    throw new CommandError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Commands take a JSON body (application/json), not ${contentType ?? 'an untyped one'}.`,
    );
  }
  if (!isJsonObject(body)) {
    const what = body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`;
    throw new CommandError(400, 'BODY_NOT_OBJECT', `The body must be a JSON object, not ${what}.`);
  }
  return body;
}

export const CommandBody = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Record<string, unknown> => {
    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    return readBody(request.body, request.headers['content-type']);
  },
);

/**
 * The command's data: the body plus the ids the URL names. The body may not name them again:
 * which of two different values would be meant?
 */
export function withPath(
  body: Record<string, unknown>,
  path: Record<string, string>,
): Record<string, unknown> {
  const repeated = Object.keys(path).filter((key) => Object.hasOwn(body, key));
  if (repeated.length > 0) {
    throw fieldsError(
      'The body repeats what the URL names',
      repeated.map((field) => ({ field, message: 'comes from the URL; leave it out of the body' })),
    );
  }
  return { ...body, ...path };
}

/** A new object's id: the caller's when the body has one, else a fresh UUID. */
export function withNewId(body: Record<string, unknown>, key: string): Record<string, unknown> {
  // Marked generated: a retry under the same Idempotency-Key is the same command.
  return Object.hasOwn(body, key) ? body : markGenerated({ [key]: randomUUID(), ...body }, [key]);
}
