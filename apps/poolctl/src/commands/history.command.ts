import { readFile } from 'node:fs/promises';
import { type Command } from 'commander';
import {
  type CommandOutcome,
  type CommandSpec,
  type DiffObjectChange,
  type NotPlannedObject,
  type PoolDiff,
  type PoolStateAt,
  type RevertPlan,
} from '@pool/contracts';
import { POOL_OBJECT_KINDS } from '@pool/domain';
import { type Context } from '../cli/context.js';
import { usageError } from '../cli/errors.js';
import { type CliIo } from '../cli/io.js';
import { path } from '../http/path.js';
import { cell } from '../output/table.js';
import { applyCommand } from './mutation.js';
import { examples, verb, WAIT_HELP } from './verb.js';

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
    .option('--apply', 'apply the commands as one change (only if the pool has not moved on)')
    .option('--wait', WAIT_HELP)
    .description(
      'show the commands that would bring the pool back to its configuration at a version or ' +
        'a time, and what they cannot bring back, with the reason (a dry run: nothing is ' +
        'applied); with --apply, apply them as one change at the version shown, leaving out ' +
        'what they cannot bring back (listed on stderr)',
    )
    .addHelpText(
      'after',
      examples(
        'poolctl revert --to 120',
        'poolctl revert --to 2026-12-01T10:00Z -o json',
        'poolctl revert --to 120 --apply --wait',
      ),
    )
    .action(
      verb<{ to: string; apply?: boolean; wait?: boolean }>(io, async (ctx, _args, options) => {
        const plan = await ctx.master.revertPlan(ctx.pool(), options.to);
        if (options.apply) return applyRevert(ctx, plan, options.wait === true);
        if (ctx.output === 'json') return ctx.printJson(plan);
        const lines = [
          `pool ${plan.pool}: back from version ${plan.from} to ${plan.to} (dry run, nothing applied)`,
          ...(plan.commands.length === 0 ? ['no command needed'] : plan.commands.map(commandLine)),
          ...notPlannedLines(plan.notReverted),
        ];
        ctx.print(lines.join('\n'));
      }),
    );

  program
    .command('import')
    .argument('<file>', "an export: poolctl export's lines, or its -o json ('-': stdin)")
    .option('--name <name>', "the new pool's name (default: the exported pool's)")
    .option('--wait', WAIT_HELP)
    .description(
      'build the pool (--pool, POOLNET_POOL) from exported commands, as one change: a pool ' +
        'that does not exist yet, or one that holds nothing (its CreatePool is then left out)',
    )
    .addHelpText(
      'after',
      examples(
        'poolctl --pool lab export > lab.jsonl',
        'poolctl --pool lab-copy import lab.jsonl --wait',
      ),
    )
    .action(
      verb<{ name?: string; wait?: boolean }>(io, async (ctx, args, options) => {
        const pool = ctx.pool();
        const commands = parseExport(await readInput(args[0]!));
        const body = options.name === undefined ? { commands } : { commands, name: options.name };
        const request = { method: 'POST' as const, path: path`/pools/${pool}/import`, body };
        const { outcome } = await applyCommand(ctx, pool, request, { wait: options.wait });
        if (ctx.output === 'json') return ctx.printJson(outcome);
        ctx.print(
          `pool ${pool}: imported ${outcome.batch?.commands ?? commands.length} command(s), ` +
            `version ${outcome.version}${hostsApplied(outcome)}`,
        );
      }),
    );
}

/**
 * `revert --apply`: the plan the dry run shows, applied at the version it was computed at (the
 * master refuses it, 409 VERSION_MISMATCH, if the pool moved on since). What it cannot bring
 * back is said before, on stderr: the operator sees what stays as it is.
 */
async function applyRevert(ctx: Context, plan: RevertPlan, wait: boolean): Promise<void> {
  const left = notPlannedLines(plan.notReverted, 'not reverted (applied without them):');
  for (const line of left) ctx.io.stderr.write(`${line}\n`);
  if (plan.commands.length === 0) {
    if (ctx.output === 'json') return ctx.printJson({ ...plan, applied: false });
    ctx.print(`pool ${plan.pool}: nothing to revert to version ${plan.to}`);
    return;
  }
  const body = { toVersion: plan.to, expectedVersion: plan.from };
  const request = { method: 'POST' as const, path: path`/pools/${plan.pool}/revert`, body };
  const { outcome } = await applyCommand(ctx, plan.pool, request, { wait });
  if (ctx.output === 'json') return ctx.printJson(outcome);
  ctx.print(
    `pool ${plan.pool}: back from version ${plan.from} to ${plan.to}: applied ` +
      `${plan.commands.length} command(s) as version${outcome.version > outcome.firstVersion ? 's' : ''} ` +
      `${outcome.firstVersion}${outcome.version > outcome.firstVersion ? `–${outcome.version}` : ''}` +
      hostsApplied(outcome),
  );
}

const hostsApplied = (outcome: CommandOutcome) =>
  outcome.hosts === undefined
    ? ''
    : `; applied by ${Object.keys(outcome.hosts).length}/${outcome.enabledHosts.length} hosts`;

async function readInput(file: string): Promise<string> {
  try {
    return await readFile(file === '-' ? '/dev/stdin' : file, 'utf8');
  } catch (error) {
    throw usageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** `poolctl export`'s lines, its -o json (`{commands}`), or a JSON list of commands. */
export function parseExport(text: string): CommandSpec[] {
  let commands: unknown;
  try {
    commands = asCommands(JSON.parse(text));
  } catch {
    // Not one JSON document: JSON lines, one command each.
    try {
      const lines = text.split('\n').filter((line) => line.trim() !== '');
      commands = lines.map((line) => JSON.parse(line) as unknown);
    } catch (error) {
      throw usageError(`the export is neither JSON lines nor JSON: ${(error as Error).message}`);
    }
  }
  if (!Array.isArray(commands) || commands.length === 0) {
    throw usageError('the export holds no command: give the output of poolctl export');
  }
  return commands as CommandSpec[];
}

/** A list as it is, an export's answer by its `commands`, one command as a list of one. */
const asCommands = (json: unknown): unknown =>
  Array.isArray(json)
    ? json
    : typeof json === 'object' && json !== null && 'commands' in json
      ? json.commands
      : [json];

/** `CreateNetwork {"networkId":"prod",…}` */
const commandLine = (c: CommandSpec) => `  ${c.type} ${JSON.stringify(c.data)}`;

function notPlannedLines(list: NotPlannedObject[], heading = 'not included:'): string[] {
  if (list.length === 0) return [];
  return [heading, ...list.map((n) => `  ${n.kind}/${n.id}: ${n.reason}`)];
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
