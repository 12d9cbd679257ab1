import { type Command } from 'commander';
import { type EventEnvelope } from '@pool/contracts';
import { namesObject } from '@pool/domain';
import { type Context } from '../cli/context.js';
import { type CliIo } from '../cli/io.js';
import { integer } from '../cli/parsers.js';
import { cell } from '../output/table.js';
import { examples, verb } from './verb.js';

const FOLLOW_POLL_MS = 500;

interface EventsOptions {
  after: number;
  limit?: number;
  follow?: boolean;
  actor?: string;
  object?: string;
}

/**
 * `--actor` and `--object`: the events of one actor, or naming one object (`vms/web-1`, or
 * `web-1` for an id of any kind). `--limit` counts the events that pass.
 */
export function eventFilter(
  pool: string,
  options: Pick<EventsOptions, 'actor' | 'object'>,
): (event: EventEnvelope) => boolean {
  const { actor, object } = options;
  return (event) => {
    if (actor !== undefined && event.metadata.actor !== actor) return false;
    return object === undefined || namesObject(event, pool, object);
  };
}

/** `12  2026-05-01T10:00:00.000Z  VmStarted  vmId=web-1 hostId=host-a` */
export function eventLine(event: EventEnvelope): string {
  const data = event.data as Record<string, unknown> | null;
  const fields = Object.entries(data ?? {})
    .map(([key, value]) => `${key}=${cell(value)}`)
    .join(' ');
  return `${String(event.version).padStart(6)}  ${event.createdAt}  ${event.type.padEnd(20)}  ${fields}`.trimEnd();
}

export function registerEvents(program: Command, io: CliIo): void {
  program
    .command('events')
    .description(
      "print the pool's event log after a version; --follow keeps printing new events until " +
        'interrupted (json: an array, or one event per line with --follow)',
    )
    .option('--after <version>', 'start after this pool version', integer, 0)
    .option('--limit <n>', 'at most this many events (not with --follow)', integer)
    .option('--follow', 'wait for new events and print them as they are committed')
    .option('--actor <name>', 'only the events this actor caused (as the log recorded it)')
    .option(
      '--object <kind/id>',
      'only the events naming this object: kind/id (vms/web-1, networks/prod) or an id',
    )
    .addHelpText(
      'after',
      examples(
        'poolctl events --after 40',
        'poolctl events --actor alice --object networks/prod',
        'poolctl events --follow -o json | jq -c "select(.type | startswith(\\"Migration\\"))"',
      ),
    )
    .action(
      verb<EventsOptions>(io, async (ctx, _args, options) => {
        const keep = eventFilter(ctx.pool(), options);
        if (options.follow) await follow(ctx, options.after, keep);
        else await printRange(ctx, options.after, keep, options.limit);
      }),
    );
}

async function printRange(
  ctx: Context,
  after: number,
  keep: (event: EventEnvelope) => boolean,
  limit = Number.POSITIVE_INFINITY,
) {
  const events: EventEnvelope[] = [];
  for await (const event of ctx.master.eventsAfter(ctx.pool(), after)) {
    if (events.length >= limit) break;
    if (keep(event)) events.push(event);
  }
  if (ctx.output === 'json') ctx.printJson(events);
  else if (events.length > 0) ctx.print(events.map(eventLine).join('\n'));
}

/** Polls the master's log; stops when the run is interrupted. */
async function follow(ctx: Context, after: number, keep: (event: EventEnvelope) => boolean) {
  const pool = ctx.pool();
  const signal = ctx.io.signal;
  for (let cursor = after; !signal?.aborted;) {
    const page = await ctx.master.events(pool, cursor);
    for (const event of page.events.filter(keep)) {
      ctx.print(ctx.output === 'json' ? JSON.stringify(event) : eventLine(event));
    }
    cursor = page.next;
    if (page.events.length === 0) await ctx.io.sleep(FOLLOW_POLL_MS, signal);
  }
}
