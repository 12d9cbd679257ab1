import { headers, type MsgHdrs } from '@nats-io/transport-node';
import { gzipSync } from 'node:zlib';

/*
 * The reply on `<root>.<pool>.snapshot` (DESIGN §4): `{ pool, version, stateVersion, state }` as
 * gzipped JSON, cut into chunks that fit the server's max_payload (a pool of 10,000 VIFs is a
 * few MB of JSON), each sent to the requester's inbox, then an empty message that ends the
 * reply (nats.js `requestMany` with the `sentinel` strategy). A refusal is one message with a
 * `Poolnet-Error` header and a JSON `{ code, message }` body, then the same empty message.
 */

export const SNAPSHOT_HEADERS = {
  version: 'Poolnet-Snapshot-Version',
  chunk: 'Poolnet-Chunk',
  encoding: 'Content-Encoding',
  error: 'Poolnet-Error',
} as const;

export interface PoolSnapshotReply {
  pool: string;
  /** The pool stream's version the state is at: events 1..version folded in. */
  version: number;
  /** The shape of `state` (POOL_STATE_VERSION); a host with other code replays instead. */
  stateVersion: string;
  state: unknown;
}

export interface WireMessage {
  payload: Uint8Array;
  headers: MsgHdrs;
}

/** Room left in each chunk for the headers and the protocol line. */
const HEADROOM = 4096;

export function encodeSnapshot(reply: PoolSnapshotReply, maxPayload: number): WireMessage[] {
  const body = gzipSync(JSON.stringify(reply));
  const size = Math.max(1024, maxPayload - HEADROOM);
  const count = Math.max(1, Math.ceil(body.length / size));
  return Array.from({ length: count }, (_, i) => {
    const h = headers();
    h.set(SNAPSHOT_HEADERS.version, String(reply.version));
    h.set(SNAPSHOT_HEADERS.chunk, `${i + 1}/${count}`);
    h.set(SNAPSHOT_HEADERS.encoding, 'gzip');
    return { payload: body.subarray(i * size, (i + 1) * size), headers: h };
  });
}

export function encodeRefusal(code: string, message: string): WireMessage {
  const h = headers();
  h.set(SNAPSHOT_HEADERS.error, code);
  return { payload: new TextEncoder().encode(JSON.stringify({ code, message })), headers: h };
}
