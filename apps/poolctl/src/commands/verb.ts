import { type Command } from 'commander';
import { Context } from '../cli/context.js';
import { resolveGlobalOptions } from '../cli/global-options.js';
import { type CliIo } from '../cli/io.js';
import { renderFields, renderTable, type Column } from '../output/table.js';

export type VerbAction<Options> = (ctx: Context, args: string[], options: Options) => Promise<void>;

/** A commander action that builds the verb's Context from the merged global options. */
export const verb =
  <Options = Record<string, unknown>>(io: CliIo, action: VerbAction<Options>) =>
  async (...received: unknown[]): Promise<void> => {
    const command = received.at(-1) as Command;
    const ctx = new Context(resolveGlobalOptions(command.optsWithGlobals(), io.env), io);
    await action(ctx, command.processedArgs as string[], command.opts<Options & object>());
  };

export const WAIT_HELP =
  'return only when every enabled host applied the change (a progress bar on a terminal)';

/** Examples under a verb's help. */
export const examples = (...lines: string[]): string =>
  `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;

/** A list: a table for people, a JSON array for programs. */
export function printList<T>(ctx: Context, rows: readonly T[], columns: readonly Column<T>[]) {
  if (ctx.output === 'json') ctx.printJson(rows);
  else ctx.print(renderTable(rows, columns));
}

/** One object: `label: value` lines for people, the object itself for programs. */
export function printObject(
  ctx: Context,
  value: unknown,
  fields: readonly (readonly [string, unknown])[],
  after = '',
) {
  if (ctx.output === 'json') ctx.printJson(value);
  else ctx.print(renderFields(fields) + after);
}
