import {
  upcastPoolEvent,
  type PoolEvent,
  type PoolEventOf,
  type PoolEventType,
} from '@pool/domain';
import { isUnreachable } from '../http/http-client.js';
import { type MasterClient } from '../http/master-client.js';
import { type ReadSource } from '../read/views.js';
import { ApiError, CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';

/** The events whose data names an object of the kind whose id is in `Field`. */
type Naming<Field extends string> = {
  [T in PoolEventType]: PoolEventOf<T>['data'] extends Record<Field, string> & { name: string }
    ? T
    : never;
}[PoolEventType];

interface KindSpec<Field extends string = string> {
  /** For messages: `VMs`. */
  many: string;
  idField: Field;
  /** Create and rename: the object exists after them, with the name they carry. */
  naming: readonly Naming<Field>[];
  /** After these it no longer exists. */
  ending: readonly PoolEventType[];
  exists(reads: ReadSource, pool: string, id: string): Promise<unknown>;
  list(reads: ReadSource, pool: string): Promise<{ id: string; name: string }[]>;
}

const kind = <Field extends string>(spec: KindSpec<Field>): KindSpec => spec as KindSpec;

/** For kinds the read API only lists: whether `id` is among them, as a single read would say. */
const listed = async (rows: Promise<{ id: string }[]>, id: string, what: string) => {
  if (!(await rows).some((row) => row.id === id)) {
    throw new ApiError(404, 'NOT_FOUND', `${what} ${id} does not exist.`);
  }
};

const addressSets = async (reads: ReadSource, pool: string) =>
  (await reads.addressSets(pool)).map((s) => ({ id: s.addressSetId, name: s.name }));
const securityGroups = async (reads: ReadSource, pool: string) =>
  (await reads.securityGroups(pool)).map((g) => ({ id: g.groupId, name: g.name }));

/** What has a name in a pool. Bonds, VIFs, ACL rules and mirrors have ids only. */
const KINDS = {
  vm: kind({
    many: 'VMs',
    idField: 'vmId',
    naming: ['VmCreated', 'VmRenamed'],
    ending: ['VmDestroyed'],
    exists: (reads, pool, id) => reads.vm(pool, id),
    list: (reads, pool) => reads.vms(pool),
  }),
  network: kind({
    many: 'networks',
    idField: 'networkId',
    naming: ['NetworkCreated', 'NetworkRenamed'],
    ending: ['NetworkDestroyed'],
    exists: (reads, pool, id) => reads.network(pool, id),
    list: (reads, pool) => reads.networks(pool),
  }),
  host: kind({
    many: 'hosts',
    idField: 'hostId',
    naming: ['HostJoined'],
    ending: ['HostEjected'],
    exists: (reads, pool, id) => reads.host(pool, id),
    list: (reads, pool) => reads.hosts(pool),
  }),
  addressSet: kind({
    many: 'address sets',
    idField: 'addressSetId',
    naming: ['AddressSetCreated'],
    ending: ['AddressSetDeleted'],
    exists: (reads, pool, id) => listed(addressSets(reads, pool), id, 'address set'),
    list: addressSets,
  }),
  securityGroup: kind({
    many: 'security groups',
    idField: 'groupId',
    naming: ['SecurityGroupCreated'],
    ending: ['SecurityGroupDeleted'],
    exists: (reads, pool, id) => listed(securityGroups(reads, pool), id, 'security group'),
    list: securityGroups,
  }),
} as const;

export type NamedKind = keyof typeof KINDS;

const RELEVANT = new Set<string>(
  Object.values(KINDS).flatMap((spec) => [...spec.naming, ...spec.ending]),
);

/** Where one pool's names are read, and the master's events that source had not seen yet. */
interface Snapshot {
  reads: ReadSource;
  /** Name-changing events after the version `reads` showed, oldest first. */
  since: PoolEvent[];
}

const isNotFound = (error: unknown) => error instanceof ApiError && error.status === 404;

export interface NameResolverOptions {
  projection: ReadSource;
  log: ReadSource;
  master: MasterClient;
  /** `log`: the projection is never asked; `projection`: it must answer. */
  readFrom: 'auto' | 'projection' | 'log';
  note: (message: string) => void;
}

/**
 * Turns a verb's argument into an id: an id of the kind that exists wins; otherwise the one
 * object of that kind with that name; otherwise the argument unchanged, so the master (or the
 * read API) answers its own NOT_FOUND. Two objects with the name: AMBIGUOUS_NAME, with their ids.
 * Read verbs ask it first; commands only once the master knew no such id (named-command.ts).
 *
 * The answer must hold at the master's head, the version the command will be decided against:
 * a VM created a moment ago must resolve though the projection has not caught up. So the
 * projection (an indexed lookup, cheap) is read at a version V, and the master's log after V
 * (usually empty, a few events right after a write) is laid over it: creations, renames and
 * destructions of named objects. Folding the whole log would be as exact but costs the whole
 * log; the projection alone would miss the newest names. Without the projection the log is
 * folded (exact at the head).
 */
export class NameResolver {
  private readonly snapshots = new Map<string, Promise<Snapshot | undefined>>();

  constructor(private readonly options: NameResolverOptions) {}

  vm = (pool: string, ref: string) => this.resolve(pool, 'vm', ref);
  network = (pool: string, ref: string) => this.resolve(pool, 'network', ref);
  host = (pool: string, ref: string) => this.resolve(pool, 'host', ref);

  /** `ref` unchanged when undefined (an option not given). */
  async optional(pool: string, kind: NamedKind, ref: string | undefined) {
    return ref === undefined ? undefined : this.resolve(pool, kind, ref);
  }

  async resolve(pool: string, kind: NamedKind, ref: string): Promise<string> {
    const spec: KindSpec = KINDS[kind];
    const snapshot = await this.snapshot(pool);
    // An unknown pool: the verb itself reports it.
    if (snapshot === undefined) return ref;
    const { reads, since } = snapshot;

    const touching = since.filter((event) => idOf(spec, event) === ref).at(-1);
    if (touching !== undefined) {
      if (isNaming(spec, touching)) return ref;
    } else if (await exists(spec, reads, pool, ref)) {
      return ref;
    }

    const names = new Map((await this.list(spec, reads, pool)).map((o) => [o.id, o.name]));
    for (const event of since) {
      const id = idOf(spec, event);
      if (id === undefined) continue;
      if (isNaming(spec, event)) {
        names.set(id, (event.data as { name: string }).name);
      } else {
        names.delete(id);
      }
    }
    const ids = [...names].filter(([, name]) => name === ref).map(([id]) => id);
    if (ids.length > 1) {
      throw new CliError(
        ExitCode.Ambiguous,
        'AMBIGUOUS_NAME',
        `'${ref}' names ${ids.length} ${spec.many}: ${ids.sort().join(', ')}; give an id`,
        { kind, name: ref, ids },
      );
    }
    return ids[0] ?? ref;
  }

  /**
   * The kind's objects; from the log where the projection has no such list (a 404: one older
   * than the kind), unless told to read the projection only. The log is exact at its head, so
   * the events laid over it after the projection's version change nothing.
   */
  private async list(spec: KindSpec, reads: ReadSource, pool: string) {
    try {
      return await spec.list(reads, pool);
    } catch (error) {
      const { log, readFrom } = this.options;
      if (reads === log || readFrom === 'projection' || !isNotFound(error)) throw error;
      return spec.list(log, pool);
    }
  }

  private snapshot(pool: string): Promise<Snapshot | undefined> {
    let snapshot = this.snapshots.get(pool);
    if (!snapshot) this.snapshots.set(pool, (snapshot = this.read(pool)));
    return snapshot;
  }

  private async read(pool: string): Promise<Snapshot | undefined> {
    const source = (await this.fromProjection(pool)) ?? (await this.fromLog(pool));
    if (source === undefined) return undefined;
    return { reads: source.reads, since: await this.eventsAfter(pool, source.version) };
  }

  private async fromProjection(pool: string) {
    const { projection, readFrom, note } = this.options;
    if (readFrom === 'log') return undefined;
    try {
      return { reads: projection, version: (await projection.pool(pool)).version };
    } catch (error) {
      if (readFrom === 'projection' || !(isUnreachable(error) || isNotFound(error))) throw error;
      // The same sentence as the read verbs' fallback, so it is noted once.
      if (isUnreachable(error)) {
        note(`${(error as CliError).message}; reading the master's log instead`);
      }
      return undefined;
    }
  }

  private async fromLog(pool: string) {
    try {
      return { reads: this.options.log, version: (await this.options.log.pool(pool)).version };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * The name-changing events after `version`. A master out of reach leaves the projection's
   * answer standing, as the read verbs had it before names: the command, if any, fails on its
   * own with the master unreachable.
   */
  private async eventsAfter(pool: string, version: number): Promise<PoolEvent[]> {
    const events: PoolEvent[] = [];
    try {
      for await (const event of this.options.master.eventsAfter(pool, version)) {
        if (RELEVANT.has(event.type)) events.push(upcastPoolEvent(event));
      }
    } catch (error) {
      if (!isUnreachable(error)) throw error;
    }
    return events;
  }
}

async function exists(spec: KindSpec, reads: ReadSource, pool: string, id: string) {
  try {
    await spec.exists(reads, pool, id);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

const isNaming = (spec: KindSpec, event: PoolEvent): boolean =>
  (spec.naming as readonly PoolEventType[]).includes(event.type);

/** The id of the kind's object an event names or ends, if it is one of those. */
function idOf(spec: KindSpec, event: PoolEvent): string | undefined {
  if (!isNaming(spec, event) && !spec.ending.includes(event.type)) return undefined;
  const id = (event.data as Record<string, unknown>)[spec.idField];
  return typeof id === 'string' ? id : undefined;
}
