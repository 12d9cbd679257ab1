// Bearer tokens with roles for the HTTP (and gRPC) APIs of the pool master and the projection.
export { AccessControl, AccessDenied, requireRole, type Principal } from './access-control.js';
export { Public, RequireRole } from './auth.decorators.js';
export { AuthModule, type AuthOptions } from './auth.module.js';
export { principalOf } from './bearer-auth.guard.js';
export { BearerTokens, type TokenEntry } from './bearer-tokens.js';
export { BearerTokensFrom } from './bearer-tokens-from.decorator.js';
export { grants, isRole, ROLES, type Role } from './roles.js';
