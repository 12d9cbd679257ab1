import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { type CommandOutcome } from '@pool/contracts';
import type { FastifyReply } from 'fastify';
import { type Observable, tap } from 'rxjs';

/** Gives every command response the pool's version as `ETag`, for the next `If-Match`. */
@Injectable()
export class OutcomeEtagInterceptor implements NestInterceptor<CommandOutcome, CommandOutcome> {
  intercept(ctx: ExecutionContext, next: CallHandler<CommandOutcome>): Observable<CommandOutcome> {
    return next.handle().pipe(
      tap((outcome) => {
        void ctx.switchToHttp().getResponse<FastifyReply>().header('ETag', `"${outcome.version}"`);
      }),
    );
  }
}
