import { type DynamicModule, Module } from '@nestjs/common';

/**
 * Makes an app's validated config object injectable everywhere by its class
 * (`constructor(private readonly config: PoolMasterConfig)`), so feature modules and
 * `forRootAsync({ inject: [PoolMasterConfig] })` factories need no config plumbing.
 */
@Module({})
export class AppConfigModule {
  static forRoot<T extends object>(config: T): DynamicModule {
    const token = config.constructor;
    return {
      module: AppConfigModule,
      global: true,
      providers: [{ provide: token, useValue: config }],
      exports: [token],
    };
  }
}
