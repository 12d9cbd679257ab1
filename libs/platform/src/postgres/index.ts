// PostgreSQL for the apps that hold the log (pool master, projection): its own entry point,
// `@pool/platform/postgres`, so an app that never touches the database (the member host) does
// not load `pg` through the platform's barrel.
export { PG_POOL, PostgresModule, type PostgresOptions } from './postgres.module.js';
