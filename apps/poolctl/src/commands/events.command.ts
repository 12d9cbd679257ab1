import { type Command } from 'commander';
import { type EventEnvelope } from '@pool/contracts';
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
    .addHelpText(
      'after',
      examples(
        'poolctl events --after 40',
        'poolctl events --follow -o json | jq -c "select(.type | startswith(\\"Migration\\"))"',
      ),
    )
    .action(
      verb<EventsOptions>(io, async (ctx, _args, options) => {
        if (options.follow) await follow(ctx, options.after);
        else await printRange(ctx, options.after, options.limit);
      }),
    );
}

async function printRange(ctx: Context, after: number, limit = Number.POSITIVE_INFINITY) {
  const events: EventEnvelope[] = [];
  for await (const event of ctx.master.eventsAfter(ctx.pool(), after)) {
    if (events.length >= limit) break;
    events.push(event);
  }
  if (ctx.output === 'json') ctx.printJson(events);
  else if (events.length > 0) ctx.print(events.map(eventLine).join('\n'));
}

/** Polls the master's log; stops when the run is interrupted. */
async function follow(ctx: Context, after: number) {
  const pool = ctx.pool();
  const signal = ctx.io.signal;
  for (let cursor = after; !signal?.aborted;) {
    const page = await ctx.master.events(pool, cursor);
    for (const event of page.events) {
      ctx.print(ctx.output === 'json' ? JSON.stringify(event) : eventLine(event));
    }
    cursor = page.next;
    if (page.events.length === 0) await ctx.io.sleep(FOLLOW_POLL_MS, signal);
  }
}
