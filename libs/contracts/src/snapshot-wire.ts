import { headers, type MsgHdrs } from '@nats-io/transport-node';
import { gunzipSync, gzipSync } from 'node:zlib';

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
  /** The identity of the log the state was read from (log-identity.ts); absent from older masters. */
  logId?: string;
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

/** A message of the reply as the requester sees it (nats.js `Msg`, structurally). */
export interface ReceivedMessage {
  data: Uint8Array;
  headers?: { get(name: string): string } | undefined;
}

/**
 * Reassembles a reply from its messages (without the empty sentinel): the snapshot, or an error
 * naming what went wrong (a refusal, chunks missing or out of order).
 */
export function decodeSnapshot(messages: readonly ReceivedMessage[]): PoolSnapshotReply {
  const chunks: Uint8Array[] = [];
  let expected = 0;
  for (const m of messages) {
    if (m.headers?.get(SNAPSHOT_HEADERS.error)) {
      throw new Error(`the master refused a snapshot: ${new TextDecoder().decode(m.data)}`);
    }
    const [index, count] = (m.headers?.get(SNAPSHOT_HEADERS.chunk) || '1/1').split('/').map(Number);
    if (index !== chunks.length + 1) throw new Error(`snapshot chunk ${index} out of order`);
    expected = count ?? 1;
    chunks.push(m.data);
  }
  if (chunks.length === 0 || chunks.length !== expected) {
    throw new Error(`incomplete snapshot: ${chunks.length} of ${expected || '?'} chunks`);
  }
  return JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8')) as PoolSnapshotReply;
}
