import { type WireError } from '@pool/contracts';

/*
 * A refusal must reach its caller whatever it lists: gRPC carries it in trailers (grpc-js
 * refuses metadata over 8 KiB by default, and an oversized trailer used to stall the
 * connection), NATS in one message (max_payload, 1 MiB by default: a larger reply is dropped
 * and the caller sees a timeout). Lists in an error are cut to their first entries with a count,
 * and texts to a length, before any transport serialises it.
 */

/** Entries a list in `details` keeps (`problems`, `fields`); the count says how many there were. */
export const DETAIL_ENTRIES = 20;
/** Characters a field path or name keeps in an error; a caller may send keys of any length. */
export const ERROR_NAME_CHARS = 100;
/** Characters of an error's sentence. */
const MESSAGE_CHARS = 1_000;

/** `text` cut to `max` characters, with an ellipsis when cut. */
export const clip = (text: string, max = ERROR_NAME_CHARS): string =>
  text.length > max ? `${text.slice(0, max)}…` : text;

/**
 * `error` made to fit in `maxBytes` of JSON: the sentence clipped, then the lists in `details`
 * halved until it fits (each keeping a `…Total` count), then `details` replaced by a note.
 */
export function boundWireError(error: WireError, maxBytes: number): WireError {
  let bounded: WireError = { ...error, message: clip(error.message, MESSAGE_CHARS) };
  if (fits(bounded, maxBytes) || bounded.details === undefined) return bounded;
  const details = bounded.details;
  const lists = Object.keys(details).filter((key) => Array.isArray(details[key]));
  let keep = DETAIL_ENTRIES;
  while (keep >= 1 && lists.length > 0) {
    keep = Math.floor(keep / 2);
    bounded = { ...bounded, details: cutLists(details, lists, keep) };
    if (fits(bounded, maxBytes)) return bounded;
  }
  return { ...bounded, details: { omitted: `details over ${maxBytes} bytes` } };
}

const fits = (error: WireError, maxBytes: number): boolean =>
  Buffer.byteLength(JSON.stringify(error)) <= maxBytes;

function cutLists(
  details: Record<string, unknown>,
  lists: string[],
  keep: number,
): Record<string, unknown> {
  const cut: Record<string, unknown> = { ...details };
  for (const key of lists) {
    const list = details[key] as unknown[];
    cut[key] = list.slice(0, keep);
    cut[`${key}Total`] ??= list.length;
  }
  return cut;
}
