import { isValidId } from '@pool/domain';
import { type Context } from '../cli/context.js';
import { ApiError } from '../cli/errors.js';
import { type NamedKind } from '../cli/name-resolver.js';
import { type CommandRequest } from '../requests/command-request.js';
import { applyCommand, type Applied } from './mutation.js';

/**
 * Where a command names an existing object: one slot per kind, and `remoteGroup` for the
 * security group an ACL rule takes as its remote side, beside the one it may be scoped to.
 */
export type RefSlot = NamedKind | 'remoteGroup';

/** The existing objects a command names, by slot, each an id or a name as the user gave it. */
export type Refs = Partial<Record<RefSlot, string>>;
export type Ids = Readonly<Refs>;

const kindOf = (slot: RefSlot): NamedKind => (slot === 'remoteGroup' ? 'securityGroup' : slot);

/** The master's answer when an id of that kind is unknown. */
const KIND_NOT_FOUND: Readonly<Record<string, NamedKind>> = {
  VM_NOT_FOUND: 'vm',
  NETWORK_NOT_FOUND: 'network',
  HOST_NOT_FOUND: 'host',
  ADDRESS_SET_NOT_FOUND: 'addressSet',
  SECURITY_GROUP_NOT_FOUND: 'securityGroup',
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
  const looked = new Set<RefSlot>();
  const lookUp = async (slot: RefSlot) => {
    looked.add(slot);
    const id = await ctx.names.resolve(pool, kindOf(slot), refs[slot]!);
    const changed = id !== ids[slot];
    ids[slot] = id;
    return changed;
  };
  const slots = (Object.keys(refs) as RefSlot[]).filter((slot) => refs[slot] !== undefined);
  for (const slot of slots) {
    if (!isValidId(refs[slot]!)) await lookUp(slot);
  }
  for (;;) {
    try {
      return await applyCommand(ctx, pool, build(ids), options);
    } catch (error) {
      const slot = error instanceof ApiError ? unknownSlot(error, slots, ids, looked) : undefined;
      if (slot === undefined || !(await lookUp(slot))) throw error;
    }
  }
}

/**
 * The slot a NOT_FOUND answer is about, if not looked up yet: of the kind its code names, the
 * one holding the id it names (`details.id`), as two slots may share a kind.
 */
function unknownSlot(
  error: ApiError,
  slots: readonly RefSlot[],
  ids: Refs,
  looked: ReadonlySet<RefSlot>,
): RefSlot | undefined {
  const kind = error.status === 404 ? KIND_NOT_FOUND[error.code] : undefined;
  const open = slots.filter((slot) => kindOf(slot) === kind && !looked.has(slot));
  const id = error.details?.id;
  return typeof id === 'string' ? open.find((slot) => ids[slot] === id) : open[0];
}
