import { type Command } from 'commander';
import {
  type CommandSpec,
  type DiffObjectChange,
  type NotPlannedObject,
  type PoolDiff,
  type PoolStateAt,
} from '@pool/contracts';
import { POOL_OBJECT_KINDS } from '@pool/domain';
import { type CliIo } from '../cli/io.js';
import { cell } from '../output/table.js';
import { examples, verb } from './verb.js';

const POINT_HELP = 'a pool version, or a time (ISO-8601 with a zone, e.g. 2026-12-01T10:00Z)';

export function registerHistory(program: Command, io: CliIo): void {
  program
    .command('state')
    .description(
      "print the pool's configuration at a version or a time (default: now), read from the " +
        "master's log (json: the master's answer, the configuration under `state`)",
    )
    .option('--at <point>', POINT_HELP)
    .addHelpText(
      'after',
      examples('poolctl state --at 120', 'poolctl state --at 2026-12-01T10:00Z -o json'),
    )
    .action(
      verb<{ at?: string }>(io, async (ctx, _args, options) => {
        const reply = await ctx.master.stateAt(ctx.pool(), options.at);
        if (ctx.output === 'json') ctx.printJson(reply);
        else ctx.print(stateText(reply));
      }),
    );

  program
    .command('diff')
    .argument('<from>', POINT_HELP)
    .argument('[to]', `${POINT_HELP}; default: now`)
    .description(
      'print what changed in the pool between two versions or times: objects added (+), ' +
        'changed (~) and removed (-), field by field, with the events and actors that did it',
    )
    .addHelpText('after', examples('poolctl diff 40 120', 'poolctl diff 2026-12-01 -o json'))
    .action(
      verb(io, async (ctx, args) => {
        const reply = await ctx.master.diff(ctx.pool(), args[0]!, args[1]);
        if (ctx.output === 'json') ctx.printJson(reply);
        else ctx.print(diffText(reply));
      }),
    );

  program
    .command('export')
    .description(
      "print the pool's configuration (at a version or a time, default now) as the commands " +
        'that build it in an empty pool, one JSON line each `{"type","data"}`; what is left ' +
        "out (where VMs run) goes to stderr (json: the master's answer)",
    )
    .option('--at <point>', POINT_HELP)
    .addHelpText('after', examples('poolctl export > lab.jsonl', 'poolctl export --at 120'))
    .action(
      verb<{ at?: string }>(io, async (ctx, _args, options) => {
        const reply = await ctx.master.exportAt(ctx.pool(), options.at);
        if (ctx.output === 'json') return ctx.printJson(reply);
        ctx.print(reply.commands.map((c) => JSON.stringify(c)).join('\n'));
        for (const line of notPlannedLines(reply.notExported)) ctx.io.stderr.write(`${line}\n`);
      }),
    );

  program
    .command('revert')
    .requiredOption('--to <point>', POINT_HELP)
    .description(
      'show the commands that would bring the pool back to its configuration at a version or ' +
        'a time, and what they cannot bring back, with the reason (a dry run: nothing is ' +
        'applied; applying is not built yet)',
    )
    .addHelpText(
      'after',
      examples('poolctl revert --to 120', 'poolctl revert --to 2026-12-01T10:00Z -o json'),
    )
    .action(
      verb<{ to: string }>(io, async (ctx, _args, options) => {
        const plan = await ctx.master.revertPlan(ctx.pool(), options.to);
        if (ctx.output === 'json') return ctx.printJson(plan);
        const lines = [
          `pool ${plan.pool}: back from version ${plan.from} to ${plan.to} (dry run, nothing applied)`,
          ...(plan.commands.length === 0 ? ['no command needed'] : plan.commands.map(commandLine)),
          ...notPlannedLines(plan.notReverted),
        ];
        ctx.print(lines.join('\n'));
      }),
    );
}

/** `CreateNetwork {"networkId":"prod",…}` */
const commandLine = (c: CommandSpec) => `  ${c.type} ${JSON.stringify(c.data)}`;

function notPlannedLines(list: NotPlannedObject[]): string[] {
  if (list.length === 0) return [];
  return ['not included:', ...list.map((n) => `  ${n.kind}/${n.id}: ${n.reason}`)];
}

/** A heading, then each kind with its objects' ids. */
export function stateText(reply: PoolStateAt): string {
  const state = reply.state as Record<string, unknown>;
  const lines = [
    `pool ${reply.pool} at version ${reply.version} of ${reply.head}` +
      (reply.recordedAt ? ` (recorded ${reply.recordedAt})` : ''),
    `name: ${cell(state.name)}  status: ${cell(state.status)}`,
  ];
  for (const kind of POOL_OBJECT_KINDS) {
    const objects = state[kind];
    if (!Array.isArray(objects)) continue;
    const ids = (objects as { id: string }[]).map((o) => o.id);
    lines.push(`${kind} (${ids.length}): ${cell(ids)}`);
  }
  return lines.join('\n');
}

const MARK = { added: '+', changed: '~', removed: '-' } as const;

/** `~ networks/prod`, its changed fields, then the events that named it. */
export function diffText(reply: PoolDiff): string {
  const lines = [`pool ${reply.pool}: version ${reply.from} → ${reply.to}`];
  if (reply.objects.length === 0) lines.push('no change');
  for (const object of reply.objects) lines.push(...objectLines(object));
  return lines.join('\n');
}

function objectLines(object: DiffObjectChange): string[] {
  const lines = [`${MARK[object.change]} ${object.kind}/${object.id}`];
  if (object.change === 'changed') {
    for (const f of object.fields) {
      lines.push(
        `    ${f.field}: ${'from' in f ? cell(f.from) : '(none)'} → ${'to' in f ? cell(f.to) : '(none)'}`,
      );
    }
  }
  const omitted = object.eventCount - object.events.length;
  if (omitted > 0) lines.push(`    … ${omitted} earlier event(s)`);
  for (const e of object.events) {
    lines.push(
      `    ${String(e.version).padStart(6)}  ${e.recordedAt}  ${e.type}  by ${cell(e.actor)}`,
    );
  }
  return lines;
}
