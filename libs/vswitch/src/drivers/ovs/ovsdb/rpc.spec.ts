import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonStreamSplitter } from './json-stream.js';
import { ConnectionClosedError, RpcConnection, RpcError, type RpcMessage } from './rpc.js';

/** A JSON-RPC peer on a unix socket that hands each message to `onMessage`. */
async function peer(onMessage: (message: RpcMessage, socket: Socket) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'rpc-spec-'));
  const path = join(dir, 'db.sock');
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    const splitter = new JsonStreamSplitter();
    socket.on('data', (chunk: Buffer) => {
      for (const m of splitter.push(chunk)) onMessage(m as RpcMessage, socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { path, sockets };
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
const send = (socket: Socket, message: unknown) => socket.write(JSON.stringify(message));

describe('RpcConnection', () => {
  it('matches replies to requests by id, whatever their order', async () => {
    const held: RpcMessage[] = [];
    const { path } = await peer((message, socket) => {
      held.push(message);
      if (held.length < 2) return;
      // Answered in reverse, the second reply cut in two writes.
      send(socket, { id: held[1]!.id, result: 'second', error: null });
      const text = JSON.stringify({ id: held[0]!.id, result: 'first', error: null });
      socket.write(text.slice(0, 7));
      setTimeout(() => socket.write(text.slice(7)), 10);
    });
    const rpc = await RpcConnection.open(
      path,
      () => undefined,
      () => undefined,
    );
    const replies = await Promise.all([rpc.request('a', []), rpc.request('b', [1])]);
    expect(replies).toEqual(['first', 'second']);
    expect(held.map((m) => [m.method, m.params])).toEqual([
      ['a', []],
      ['b', [1]],
    ]);
    rpc.close();
  });

  it("answers the server's echo with its params, and hands notifications over", async () => {
    const echoed: RpcMessage[] = [];
    const { path, sockets } = await peer((message) => echoed.push(message));
    const notes: [string, unknown[]][] = [];
    const rpc = await RpcConnection.open(
      path,
      (m, p) => notes.push([m, p]),
      () => undefined,
    );
    send(sockets[0]!, { method: 'echo', params: ['ping', 1], id: 'e1' });
    send(sockets[0]!, { method: 'update', params: ['mon', { T: {} }], id: null });
    await expect.poll(() => echoed.length).toBe(1);
    expect(echoed[0]).toEqual({ result: ['ping', 1], error: null, id: 'e1' });
    expect(notes).toEqual([['update', ['mon', { T: {} }]]]);
    rpc.close();
  });

  it('rejects a request the server answers with an error', async () => {
    const { path } = await peer((m, socket) =>
      send(socket, { id: m.id, result: null, error: 'unknown method' }),
    );
    const rpc = await RpcConnection.open(
      path,
      () => undefined,
      () => undefined,
    );
    await expect(rpc.request('nope', [])).rejects.toBeInstanceOf(RpcError);
    rpc.close();
  });

  it('rejects pending requests and reports the close when the server goes away', async () => {
    const { path, sockets } = await peer(() => undefined);
    let closed = false;
    const rpc = await RpcConnection.open(
      path,
      () => undefined,
      () => (closed = true),
    );
    const pending = rpc.request('transact', []);
    await expect.poll(() => sockets.length).toBe(1);
    sockets[0]!.destroy();
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(closed).toBe(true);
    await expect(rpc.request('again', [])).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('fails to open where nothing listens', async () => {
    const missing = join(tmpdir(), `absent-${process.pid}.sock`);
    await expect(
      RpcConnection.open(
        missing,
        () => undefined,
        () => undefined,
      ),
    ).rejects.toThrow();
  });
});
