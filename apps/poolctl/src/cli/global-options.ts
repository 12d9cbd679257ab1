import { Option, type Command } from 'commander';
import { usageError } from './errors.js';
import { positiveSeconds } from './parsers.js';

export const DEFAULT_MASTER = 'http://127.0.0.1:3000';
export const DEFAULT_PROJECTION = 'http://127.0.0.1:8080';
export const DEFAULT_TIMEOUT_S = 60;
export const OUTPUT_MODES = ['table', 'json'] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];
export const READ_SOURCES = ['auto', 'projection', 'log'] as const;
export type ReadFrom = (typeof READ_SOURCES)[number];

/** The options every verb takes, after flags, environment and defaults are merged. */
export interface GlobalOptions {
  master: string;
  projection: string;
  token?: string;
  pool?: string;
  output: OutputMode;
  timeoutMs: number;
  readFrom: ReadFrom;
}

/*
 * Environment variables are merged here rather than by commander's `.env()`, so that the
 * environment is the one given to the run (tests pass their own) and the help never shows a
 * token's value.
 */
export function addGlobalOptions(program: Command): Command {
  return program
    .option(
      '--master <url>',
      `pool master REST API (env POOLNET_MASTER, default ${DEFAULT_MASTER})`,
    )
    .option(
      '--projection <url>',
      `projection read API (env POOLNET_PROJECTION, default ${DEFAULT_PROJECTION})`,
    )
    .option('--token <token>', 'bearer token sent to both services (env POOLNET_TOKEN)')
    .option('--pool <id>', 'the pool to work on (env POOLNET_POOL)')
    .addOption(
      new Option('-o, --output <mode>', 'table for people, json for programs')
        .choices(OUTPUT_MODES)
        .default('table'),
    )
    .option(
      '--timeout <seconds>',
      `how long to wait for an answer, and for --wait (default ${DEFAULT_TIMEOUT_S})`,
      positiveSeconds,
    )
    .addOption(
      new Option(
        '--read-from <source>',
        "where list, show and status read; auto: the projection, else the master's log",
      )
        .choices(READ_SOURCES)
        .default('auto'),
    );
}

export function resolveGlobalOptions(
  flags: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
): GlobalOptions {
  const text = (flag: unknown, name: string): string | undefined => {
    const value = typeof flag === 'string' ? flag : env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const url = (value: string, what: string): string => {
    if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
      throw usageError(`${what} must be an http(s) URL, not '${value}'`);
    }
    return value;
  };
  return {
    master: url(text(flags.master, 'POOLNET_MASTER') ?? DEFAULT_MASTER, '--master'),
    projection: url(
      text(flags.projection, 'POOLNET_PROJECTION') ?? DEFAULT_PROJECTION,
      '--projection',
    ),
    token: text(flags.token, 'POOLNET_TOKEN'),
    pool: text(flags.pool, 'POOLNET_POOL'),
    output: flags.output as OutputMode,
    timeoutMs: ((flags.timeout as number | undefined) ?? DEFAULT_TIMEOUT_S) * 1000,
    readFrom: flags.readFrom as ReadFrom,
  };
}
