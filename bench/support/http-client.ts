import http from 'node:http';

/**
 * A keep-alive JSON client on node:http: the global fetch costs the load generator several
 * times more CPU per request, and it shares the 2 cores with the system under test.
 */
export function jsonClient(base: string, maxSockets = 128) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const url = new URL(base);
  const request = (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: string }> => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: http.OutgoingHttpHeaders =
      payload === undefined
        ? {}
        : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
    return new Promise((resolve, reject) => {
      const req = http.request(
        { agent, host: url.hostname, port: url.port, path, method, headers },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  };
  return {
    request,
    post: (path: string, body: unknown) => request('POST', path, body),
    close: () => agent.destroy(),
  };
}
