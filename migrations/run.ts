import { DEFAULT_RETRY } from './connect-with-retry.js';
import { runMigrations } from './data-source.js';

// The only other reader of the environment besides each app's config (house style).
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const started = Date.now();
const ran = await runMigrations(url, {
  ...DEFAULT_RETRY,
  onRetry: (attempt, ms, error) =>
    console.log(
      JSON.stringify({
        msg: `database not ready (${(error as Error).message}); retrying in ${ms} ms`,
        attempt,
        level: 'warn',
      }),
    ),
});
console.log(
  JSON.stringify({ msg: 'migrations done', ran, ms: Date.now() - started, level: 'info' }),
);
