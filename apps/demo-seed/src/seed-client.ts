/** The few calls the seed makes to a pool master's REST API, with retries while it starts. */
export class SeedClient {
  constructor(
    private readonly base: string,
    private readonly token: string | undefined,
  ) {}

  async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ok = await fetch(`${this.base}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`pool master at ${this.base} is not healthy`);
      await sleep(1_000);
    }
  }

  /** Sends a command; answers its HTTP status and body (a 4xx is the caller's to judge). */
  async send(
    method: string,
    path: string,
    body: object,
    idempotencyKey: string,
  ): Promise<{ status: number; body: { code?: string; message?: string } }> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey,
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as object) : {} };
  }

  /** The event types of a pool's log, and the hosts that joined it. */
  async poolLog(pool: string): Promise<{ types: Set<string>; hosts: Set<string> } | null> {
    const types = new Set<string>();
    const hosts = new Set<string>();
    for (let after = 0; ;) {
      const response = await fetch(`${this.base}/pools/${pool}/events?after=${after}&limit=1000`, {
        headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
      });
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(`reading the log of ${pool}: HTTP ${response.status}`);
      const page = (await response.json()) as {
        events: { type: string; data: { hostId?: string } }[];
        next: number;
      };
      for (const event of page.events) {
        types.add(event.type);
        if (event.type === 'HostJoined' && event.data.hostId) hosts.add(event.data.hostId);
        if (event.type === 'HostEjected' && event.data.hostId) hosts.delete(event.data.hostId);
      }
      if (page.events.length === 0) return { types, hosts };
      after = page.next;
    }
  }
}

/**
 * The hosts of `hosts` that have not applied the pool's head yet, as the projection sees them
 * (it reads the head from the log and each host's version from its reports); all of them while
 * the projection is not up or has not projected the pool yet.
 */
export async function hostsBehind(
  projection: string,
  pool: string,
  hosts: readonly string[],
  token: string | undefined,
): Promise<string[]> {
  const response = await fetch(`${projection}/api/pools/${pool}/hosts`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  }).catch(() => undefined);
  if (response?.status === 401 || response?.status === 403) {
    throw new Error(`the projection at ${projection} refused the token: HTTP ${response.status}`);
  }
  if (!response?.ok) return [...hosts];
  const page = (await response.json()) as { items: { id: string; lagEvents: number | null }[] };
  const atHead = new Set(page.items.filter((h) => h.lagEvents === 0).map((h) => h.id));
  return hosts.filter((host) => !atHead.has(host));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
