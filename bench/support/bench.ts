import { type ParseArgsConfig } from 'node:util';

/** The options a bench accepts, as `node:util` `parseArgs` reads them, each with a description. */
export type BenchOptions = Record<
  string,
  NonNullable<ParseArgsConfig['options']>[string] & { description: string }
>;

export type BenchArgs = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface BenchContext {
  /** The server to work on; a bench creates its own scratch database there. */
  databaseUrl: string;
  /** Parsed flags, defaults applied. */
  args: BenchArgs;
  /** The command line that started this run, as it is written into BENCHMARKS.md. */
  command: string;
  /** Set on SIGINT/SIGTERM: stop measuring, clean up, exit. */
  signal: AbortSignal;
}

export interface Bench {
  name: string;
  description: string;
  options: BenchOptions;
  run(context: BenchContext): Promise<void>;
}

export function numberArg(args: BenchArgs, name: string): number {
  const raw = args[name];
  const value = typeof raw === 'string' ? Number(raw) : NaN;
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`--${name} must be a non-negative number, got ${String(raw)}`);
  }
  return value;
}

export function listArg(args: BenchArgs, name: string): string[] {
  const raw = args[name];
  if (typeof raw !== 'string') throw new Error(`--${name} needs a comma-separated list`);
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
