#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { runPoolctl } from './program.js';

// A progress bar hides the cursor: give it back if the user interrupts.
process.once('SIGINT', () => {
  if (process.stderr.isTTY) process.stderr.write('\x1b[?25h\n');
  process.exit(130);
});

process.exitCode = await runPoolctl(process.argv.slice(2), {
  fetch: globalThis.fetch,
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
  newKey: () => randomUUID(),
});
