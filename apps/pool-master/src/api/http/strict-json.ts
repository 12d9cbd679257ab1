import { visit } from 'jsonc-parser';
import { CommandError } from '../../commands/command-errors.js';

/*
 * JSON as a command body is read on REST and NATS: UTF-8 that decodes, one value per key.
 * `JSON.parse` alone takes both too kindly: a `TextDecoder` that is not fatal turns a bad byte
 * into U+FFFD, which would be stored as if the caller had sent it, and a repeated key keeps its
 * last value while the caller may have meant the first.
 */

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Keys that would reach an object's prototype if copied with `Object.assign` or `merge`. */
const POISONED = new Set(['__proto__', 'constructor']);

const malformed = (message: string, details?: Record<string, unknown>) =>
  new CommandError(400, 'MALFORMED_JSON', message, details);

/**
 * Parses a JSON text sent as UTF-8 bytes, refusing (`CommandError` 400) bytes that are not
 * UTF-8 and malformed JSON (`MALFORMED_JSON`), a key repeated in one object (`DUPLICATE_KEY`),
 * and a `__proto__` or `constructor` key (`MALFORMED_JSON`, as Fastify's own parser does).
 */
export function parseStrictJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw malformed('The body is not valid UTF-8: JSON is sent in UTF-8.');
  }
  if (text.trim() === '') {
    throw malformed('The body is empty but Content-Type says JSON: send {} or no Content-Type.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed('The body is not valid JSON.');
  }
  // Only objects can repeat a key; a text without `{` has none (and is not a command anyway).
  if (typeof value === 'object' && value !== null) refuseRepeatedKeys(text);
  return value;
}

/** Walks the (already valid) JSON text's objects, each with the keys seen in it so far. */
function refuseRepeatedKeys(text: string): void {
  const open: Set<string>[] = [];
  const path: (string | number)[][] = [];
  visit(text, {
    onObjectBegin: (_offset, _length, _line, _column, pathSupplier) => {
      open.push(new Set());
      path.push(pathSupplier());
    },
    onObjectEnd: () => {
      open.pop();
      path.pop();
    },
    onObjectProperty: (key) => {
      const keys = open.at(-1);
      if (keys === undefined) return;
      const at = [...(path.at(-1) ?? []), key].join('.');
      if (POISONED.has(key)) {
        throw malformed(`The body holds a ${key} key, which is refused.`, { key: at });
      }
      if (keys.has(key)) {
        throw new CommandError(
          400,
          'DUPLICATE_KEY',
          `The body repeats the key ${at}: which of its values would be meant?`,
          { key: at },
        );
      }
      keys.add(key);
    },
  });
}
