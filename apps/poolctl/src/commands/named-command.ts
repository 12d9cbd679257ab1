import { isValidId } from '@pool/domain';
import { type Context } from '../cli/context.js';
import { ApiError } from '../cli/errors.js';
import { type NamedKind } from '../cli/name-resolver.js';
import { type CommandRequest } from '../requests/command-request.js';
import { applyCommand, type Applied } from './mutation.js';

/** The existing objects a command names, by kind, each an id or a name as the user gave it. */
export type Refs = Partial<Record<NamedKind, string>>;
export type Ids = Readonly<Refs>;

/** The master's answer when an id of that kind is unknown. */
const KIND_NOT_FOUND: Readonly<Record<string, NamedKind>> = {
  VM_NOT_FOUND: 'vm',
  NETWORK_NOT_FOUND: 'network',
  HOST_NOT_FOUND: 'host',
};

/**
 * Sends a command that names existing objects by id or by name. The master is the authority on
 * ids, so the command goes first with the arguments as given: nothing is read when they are
 * ids, and an id wins over a name because the master found it. Only when it answers NOT_FOUND
 * for one of them is that argument looked up as a name (name-resolver.ts), and the command sent
 * again with the id found; a refused command wrote nothing, so sending it again is safe. An
 * argument that cannot be an id at all (`web 1`) is looked up before the first send.
 */
export async function applyNamed(
  ctx: Context,
  pool: string,
  refs: Refs,
  build: (ids: Ids) => CommandRequest,
  options: { wait?: boolean } = {},
): Promise<Applied> {
  const ids: Refs = { ...refs };
  const looked = new Set<NamedKind>();
  const lookUp = async (kind: NamedKind) => {
    looked.add(kind);
    const id = await ctx.names.resolve(pool, kind, refs[kind]!);
    const changed = id !== ids[kind];
    ids[kind] = id;
    return changed;
  };
  for (const kind of Object.keys(refs) as NamedKind[]) {
    if (!isValidId(refs[kind]!)) await lookUp(kind);
  }
  for (;;) {
    try {
      return await applyCommand(ctx, pool, build(ids), options);
    } catch (error) {
      const kind =
        error instanceof ApiError && error.status === 404 ? KIND_NOT_FOUND[error.code] : undefined;
      if (kind === undefined || refs[kind] === undefined || looked.has(kind)) throw error;
      if (!(await lookUp(kind))) throw error;
    }
  }
}
