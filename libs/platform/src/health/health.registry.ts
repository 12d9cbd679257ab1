import { Injectable } from '@nestjs/common';

export type HealthCheck = () => Promise<void>;

export interface CheckResult {
  status: 'up' | 'down';
  durationMs: number;
  error?: string;
}

export interface HealthReport {
  status: 'ok' | 'error';
  checks: Record<string, CheckResult>;
}

interface Registered {
  check: HealthCheck;
  timeoutMs: number;
}

/**
 * Named readiness checks. Modules that own a dependency register a check for it in
 * `onModuleInit` (`health.register('postgres', () => ping())`); a check passes by resolving.
 * Every check gets a timeout, so a hung dependency turns into a 503, not a hung probe.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, Registered>();

  register(name: string, check: HealthCheck, options: { timeoutMs?: number } = {}): void {
    if (this.checks.has(name)) throw new Error(`health check "${name}" is already registered`);
    this.checks.set(name, { check, timeoutMs: options.timeoutMs ?? 2_000 });
  }

  async run(): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, registered]) => [name, await runOne(registered)] as const),
    );
    const checks = Object.fromEntries(entries);
    const status = entries.every(([, result]) => result.status === 'up') ? 'ok' : 'error';
    return { status, checks };
  }
}

async function runOne({ check, timeoutMs }: Registered): Promise<CheckResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { status: 'up', durationMs: elapsed() };
  } catch (err) {
    return { status: 'down', durationMs: elapsed(), error: errorMessage(err) };
  } finally {
    clearTimeout(timer);
  }
}

const errorMessage = (err: unknown): string =>
  err instanceof Error ? err.message || err.name : String(err);
