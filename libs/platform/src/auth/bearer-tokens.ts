import { createHash, timingSafeEqual } from 'node:crypto';
import { ROLES, type Role } from './roles.js';

/** One configured token: its role, a name for logs and audit, and only the SHA-256 of it. */
export interface TokenEntry {
  readonly role: Role;
  readonly name: string;
  readonly hash: Buffer;
}

/** RFC 6750's `b64token`: what an `Authorization: Bearer` header can carry. */
export const TOKEN_SYNTAX = /^[A-Za-z0-9\-._~+/]+=*$/;

export const hashToken = (token: string): Buffer => createHash('sha256').update(token).digest();

/**
 * The tokens a service accepts, held as hashes. Matching hashes the presented token and compares
 * it with every entry in constant time, so neither the answer's timing nor a memory dump tells
 * a token.
 */
export class BearerTokens {
  private readonly entries: readonly TokenEntry[];

  /** Merges the lists of every source (AUTH_TOKENS, AUTH_TOKENS_FILE); a token may appear once. */
  constructor(...lists: readonly (readonly TokenEntry[] | undefined)[]) {
    const entries = lists.flatMap((list) => list ?? []);
    entries.forEach((entry, i) => {
      const first = entries.findIndex((other) => other.hash.equals(entry.hash));
      if (first !== i) {
        throw new Error(
          `bearer tokens '${entries[first]!.name}' and '${entry.name}' are the same token; ` +
            'give each holder a token of its own',
        );
      }
    });
    this.entries = entries;
  }

  get size(): number {
    return this.entries.length;
  }

  /** `3 (admin 1, operator 1, read-only 1)`: for the boot log, names and roles only. */
  describe(): string {
    const counts = ROLES.map((role) => [role, this.entries.filter((e) => e.role === role).length])
      .filter(([, n]) => n !== 0)
      .map(([role, n]) => `${role} ${n}`);
    return `${this.size} (${counts.join(', ')})`;
  }

  match(token: string): TokenEntry | undefined {
    const presented = hashToken(token);
    let found: TokenEntry | undefined;
    for (const entry of this.entries) {
      // Every entry is compared: no early exit that would time which one matched.
      if (timingSafeEqual(entry.hash, presented) && found === undefined) found = entry;
    }
    return found;
  }
}

/**
 * The token of an `Authorization: Bearer <token>` value: `undefined` when there is no header,
 * `null` when it is not a single well-formed bearer credential.
 */
export function bearerTokenOf(
  header: string | readonly string[] | undefined,
): string | null | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string') return null; // repeated header: which one would count?
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match && TOKEN_SYNTAX.test(match[1]!) ? match[1]! : null;
}
