import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessControl } from './access-control.js';
import { BearerAuthGuard } from './bearer-auth.guard.js';
import { BearerTokens, type TokenEntry } from './bearer-tokens.js';

export interface AuthOptions {
  /** The token lists of the app's config (AUTH_TOKENS, AUTH_TOKENS_FILE); none: open. */
  tokens: readonly (readonly TokenEntry[] | undefined)[];
}

/** Says once at boot whether the API is open, and how many tokens of each role it takes. */
@Injectable()
class AuthBootLog implements OnModuleInit {
  constructor(@Inject(BearerTokens) private readonly tokens: BearerTokens) {}

  onModuleInit(): void {
    const logger = new Logger('Auth');
    if (this.tokens.size === 0) {
      logger.warn(
        'no bearer token configured (AUTH_TOKENS, AUTH_TOKENS_FILE): the API is open to anyone ' +
          'who reaches it, as admin; fine for development only',
      );
    } else {
      logger.log(`bearer tokens: ${this.tokens.describe()}`);
    }
  }
}

/**
 * Bearer tokens with roles for the app's HTTP API (DESIGN §6): a global guard, and
 * `AccessControl` for transports that authorize by hand (gRPC). `/health` and `/metrics` are
 * `@Public()`; what Fastify serves itself (OpenAPI at /docs, static files) never meets the guard.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    const tokens = new BearerTokens(...options.tokens);
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: BearerTokens, useValue: tokens },
        { provide: AccessControl, useValue: new AccessControl(tokens) },
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        AuthBootLog,
      ],
      exports: [AccessControl],
    };
  }
}
