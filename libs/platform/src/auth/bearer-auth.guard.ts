import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  Inject,
  Injectable,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessControl, AccessDenied, type Principal } from './access-control.js';
import { PUBLIC_ROUTE, REQUIRED_ROLE } from './auth.decorators.js';
import { type Role } from './roles.js';

const READS = new Set(['GET', 'HEAD']);

/** The request's principal, once the guard let it through. */
export const principalOf = (request: object): Principal | undefined =>
  (request as { principal?: Principal }).principal;

/**
 * The global guard of the HTTP API: the role a route declares (`@RequireRole`), or read-only
 * for GET and admin for the rest. A refusal is `{ statusCode, code, message }` with
 * `WWW-Authenticate: Bearer` on a 401. Other transports pass: gRPC handlers authorize
 * themselves (the role depends on the command) and NATS has the server's permissions.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AccessControl) private readonly access: AccessControl,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const needed =
      this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets) ??
      (READS.has(request.method) ? 'read-only' : 'admin');
    try {
      (request as { principal?: Principal }).principal = this.access.authorize(
        request.headers.authorization,
        needed,
      );
      return true;
    } catch (error) {
      if (!(error instanceof AccessDenied)) throw error;
      if (error.status === 401) {
        // RFC 6750 §3: a missing token gets the bare challenge, a bad one names the error.
        const challenge = request.headers.authorization
          ? 'Bearer realm="poolnet", error="invalid_token"'
          : 'Bearer realm="poolnet"';
        void http.getResponse<FastifyReply>().header('WWW-Authenticate', challenge);
      }
      throw new HttpException(
        { statusCode: error.status, code: error.code, message: error.message },
        error.status,
      );
    }
  }
}
