// Service platform shared by every app: config, JSON logs, health, metrics, connections, boot.
// PostgreSQL has its own entry point, `@pool/platform/postgres` (postgres/index.ts).
export { AppConfigModule } from './config/app-config.module.js';
export { ConfigError, Env, EnvBoolean, loadConfig } from './config/load-config.js';
export { LogApiServiceConfig, PoolServiceConfig, ServiceConfig } from './config/service-config.js';
export {
  createJsonLogger,
  JsonLogger,
  LOG_LEVELS,
  type JsonLoggerOptions,
  type LogLevel,
} from './logging/json-logger.js';
export { redactUrl } from './logging/redact-url.js';
export { HealthModule } from './health/health.module.js';
export {
  HealthRegistry,
  type CheckResult,
  type HealthCheck,
  type HealthReport,
} from './health/health.registry.js';
export { MetricsModule, type MetricsOptions } from './metrics/metrics.module.js';
export { createMetricsRegistry } from './metrics/metrics.registry.js';
export { NatsClient, type NatsOptions } from './nats/nats.client.js';
export {
  natsAuthOptions,
  natsCredentialsOf,
  type NatsAuthOptions,
  type NatsCredentials,
  type NatsCredentialsConfig,
} from './nats/nats-auth.js';
export { NatsModule } from './nats/nats.module.js';
export { PULL_EXPIRES_MS } from './nats/pull-expiry.js';
export { TcpRelay } from './nats/tcp-relay.js';
export { exitOnBootError, runHttpApp, type RunHttpAppOptions } from './bootstrap/run-http-app.js';
export {
  AccessControl,
  AccessDenied,
  AuthModule,
  BearerTokens,
  BearerTokensFrom,
  Public,
  RequireRole,
  requireRole,
  grants,
  isRole,
  ROLES,
  principalOf,
  type AuthOptions,
  type Principal,
  type Role,
  type TokenEntry,
} from './auth/index.js';
export { memoizeValidationMetadata } from './validation/memoize-validation-metadata.js';
