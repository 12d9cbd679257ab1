/**
 * What the browser suites (dashboard and console e2e) start beside their pool: the built
 * projection serving the page on the suite's database and NATS subject root, restartable on
 * the same port (a page must reconnect to it), and a headless Chromium page whose console
 * errors and uncaught exceptions are collected for the tests to assert there are none.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { type Browser, type Page } from 'playwright-core';
import { freePort, start, waitForHealthy, type Running } from '../../support/processes.js';
import { natsUrl } from '../../support/services.js';
import { realPart } from '../../support/real-part.js';
import { CHROMIUM, launchChromium } from './browser-page.js';

/** Chromium is the real part of a browser suite: skipped without it outside CI, failed in CI. */
export const chromiumPart = (suite: string) =>
  realPart(
    suite,
    existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium)`,
  );

/** The subjects and streams of a suite's own NATS (test/support/nats.ts). */
export interface SuiteNats {
  root: string;
  eventsStream: string;
  reportsStream: string;
}

export interface BrowserProjection {
  base: string;
  /** The running process (replaced by `start()` after a `stop()`). */
  readonly running: Running;
  /** Starts it again on the same port and environment. */
  start(): Promise<void>;
  /** SIGTERM, and wait for it to exit. */
  stop(): Promise<void>;
}

export async function startBrowserProjection(
  databaseUrl: string,
  nats: SuiteNats,
): Promise<BrowserProjection> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: databaseUrl,
    NATS_URL: natsUrl(),
    SUBJECT_ROOT: nats.root,
    EVENTS_STREAM: nats.eventsStream,
    REPORTS_STREAM: nats.reportsStream,
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  let running: Running | undefined;
  const projection: BrowserProjection = {
    base,
    get running() {
      if (!running) throw new Error('the projection was never started');
      return running;
    },
    start: async () => {
      running = start('projection', env);
      await waitForHealthy(base, running, 30_000);
    },
    stop: async () => {
      running?.child.kill('SIGTERM');
      await running?.exit;
    },
  };
  await projection.start();
  return projection;
}

export interface BrowserPage {
  browser: Browser;
  page: Page;
  /** Console errors and uncaught exceptions of the page, in order. */
  errors: string[];
}

/** Headless Chromium with one dark-themed page of the given size. */
export async function openBrowserPage(viewport: {
  width: number;
  height: number;
}): Promise<BrowserPage> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport, colorScheme: 'dark' });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return { browser, page, errors };
}

/**
 * A console suite's browser side, once its pool is seeded: the projection on the pool's
 * database and NATS, the artifacts folder made, and a 1440 × 900 page.
 */
export type ConsoleStack = BrowserPage & { projection: string };

export async function startConsole(
  pool: { db: { url: string }; nats: SuiteNats },
  artifacts: string,
): Promise<ConsoleStack> {
  const projection = (await startBrowserProjection(pool.db.url, pool.nats)).base;
  await mkdir(artifacts, { recursive: true });
  return { projection, ...(await openBrowserPage({ width: 1440, height: 900 })) };
}
