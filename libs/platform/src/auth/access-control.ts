import { bearerTokenOf, type BearerTokens } from './bearer-tokens.js';
import { grants, type Role } from './roles.js';

/** Who made a request: the token's name and role (`anonymous` admin while the service is open). */
export interface Principal {
  readonly name: string;
  readonly role: Role;
}

/** A refusal, with the HTTP status and the `code` every transport answers with. */
export class AccessDenied extends Error {
  readonly status: 401 | 403;
  readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN';

  constructor(reason: 'unauthenticated' | 'forbidden', message: string) {
    super(message);
    this.name = 'AccessDenied';
    this.status = reason === 'unauthenticated' ? 401 : 403;
    this.code = reason === 'unauthenticated' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
  }
}

const OPEN: Principal = { name: 'anonymous', role: 'admin' };

/**
 * Decides a request from its `Authorization` value and the role it needs; the same for REST and
 * gRPC. With no token configured the service is open (development): everyone is admin.
 */
export class AccessControl {
  constructor(private readonly tokens: BearerTokens) {}

  get open(): boolean {
    return this.tokens.size === 0;
  }

  /** The principal, or throws `AccessDenied`. */
  authorize(authorization: string | readonly string[] | undefined, needed: Role): Principal {
    if (this.open) return OPEN;
    const token = bearerTokenOf(authorization);
    if (token === undefined) {
      throw new AccessDenied(
        'unauthenticated',
        'This needs a bearer token: send Authorization: Bearer <token>.',
      );
    }
    if (token === null) {
      throw new AccessDenied(
        'unauthenticated',
        'The Authorization header must be one bearer credential: Bearer <token>.',
      );
    }
    const entry = this.tokens.match(token);
    if (!entry) throw new AccessDenied('unauthenticated', 'The bearer token is not valid.');
    requireRole(entry.role, needed);
    return { name: entry.name, role: entry.role };
  }
}

/**
 * Throws FORBIDDEN unless `held` grants `needed`: the one refusal of every transport, a bearer
 * token's (REST, gRPC) or a NATS sender's; `holder` names whose role it is.
 */
export function requireRole(held: Role, needed: Role, holder = 'the token'): void {
  if (!grants(held, needed)) {
    throw new AccessDenied(
      'forbidden',
      `This needs the ${needed} role or above; ${holder} has ${held}.`,
    );
  }
}
