/**
 * A command over the pool master's REST API that must succeed: anything but 2xx fails the test
 * with the answer. Returns the parsed body (null when empty).
 */
export async function restCommand(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return text === '' ? null : JSON.parse(text);
}
