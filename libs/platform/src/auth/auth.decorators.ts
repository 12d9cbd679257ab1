import { SetMetadata } from '@nestjs/common';
import { type Role } from './roles.js';

export const REQUIRED_ROLE = 'poolnet:required-role';
export const PUBLIC_ROUTE = 'poolnet:public-route';

/**
 * The least role a route (or every route of a controller) needs. Routes without it need
 * `read-only` for GET and HEAD and `admin` for anything else.
 */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

/** A route anyone may call, tokens or not: health checks, metrics. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
