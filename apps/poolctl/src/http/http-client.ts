import { ApiError, CliError } from '../cli/errors.js';
import { ExitCode } from '../cli/exit-codes.js';

export type Fetch = typeof fetch;
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | number | boolean | undefined>;

export interface HttpRequest {
  method: Method;
  path: string;
  query?: Query;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** This request's own limit (a `?wait=hosts` outlives the default). */
  timeoutMs?: number;
  /** Cancels the request (a watcher no longer needed). */
  signal?: AbortSignal;
}

export interface HttpClientOptions {
  /** Which service, for messages: `master` or `projection`. */
  service: string;
  baseUrl: string;
  token?: string;
  timeoutMs: number;
  fetch: Fetch;
}

/** JSON over HTTP with the CLI's error model: every failure becomes a CliError. */
export class HttpClient {
  constructor(readonly options: HttpClientOptions) {}

  get service(): string {
    return this.options.service;
  }

  url(path: string, query: Query = {}): string {
    // Relative to the base, so a base behind a path prefix (a proxy) keeps it.
    const url = new URL(path.replace(/^\/+/, ''), withSlash(this.options.baseUrl));
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  async json<T>(request: HttpRequest): Promise<T> {
    const { service, token, timeoutMs } = this.options;
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    // The token goes in this header and nowhere else: never into a message or the output.
    if (token) headers.authorization = `Bearer ${token}`;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const url = this.url(request.path, request.query);
    const limit = request.timeoutMs ?? timeoutMs;
    let response: Response;
    try {
      response = await this.options.fetch(url, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: request.signal
          ? AbortSignal.any([request.signal, AbortSignal.timeout(limit)])
          : AbortSignal.timeout(limit),
      });
    } catch (error) {
      throw transportError(service, this.options.baseUrl, limit, error);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw apiError(service, response.status, text);
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(
        ExitCode.Unavailable,
        'BAD_RESPONSE',
        `the ${service} answered ${request.method} ${request.path} with something other than JSON`,
      );
    }
  }
}

const withSlash = (base: string): string => (base.endsWith('/') ? base : `${base}/`);

/** The answer's `{code, message}` when it has one, else the status alone. */
function apiError(service: string, status: number, text: string): ApiError {
  let body: { code?: unknown; message?: unknown; details?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Not JSON (a proxy's page): the status speaks for itself.
  }
  const code = typeof body.code === 'string' ? body.code : `HTTP_${status}`;
  const message =
    typeof body.message === 'string' ? body.message : `the ${service} answered HTTP ${status}`;
  const details =
    typeof body.details === 'object' && body.details !== null
      ? (body.details as Record<string, unknown>)
      : undefined;
  return new ApiError(status, code, message, details);
}

function transportError(service: string, base: string, limitMs: number, error: unknown): CliError {
  const name = (error as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new CliError(
      ExitCode.Unavailable,
      'TIMEOUT',
      `the ${service} at ${base} did not answer within ${Math.round(limitMs / 1000)} s`,
    );
  }
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : '');
  return new CliError(
    ExitCode.Unavailable,
    'UNREACHABLE',
    `cannot reach the ${service} at ${base}${why ? `: ${why}` : ''}`,
    { service },
  );
}

export const isUnreachable = (error: unknown): boolean =>
  error instanceof CliError && (error.code === 'UNREACHABLE' || error.code === 'TIMEOUT');
