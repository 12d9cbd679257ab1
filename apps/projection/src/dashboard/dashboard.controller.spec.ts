import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardAssets } from './dashboard-assets.js';
import { DashboardModule } from './dashboard.module.js';

let app: NestFastifyApplication;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dashboard-client-'));
  await writeFile(join(dir, 'main.js'), 'export {};\n');
  await writeFile(join(dir, 'secret.txt'), 'not served');
  const moduleRef = await Test.createTestingModule({ imports: [DashboardModule] })
    .overrideProvider(DashboardAssets)
    .useValue(await DashboardAssets.load(`${dir}/`))
    .compile();
  app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
    logger: false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
});

afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers });

describe('DashboardController', () => {
  it('serves the page at / with landmarks and a same-origin-only CSP', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.body).toContain('<main id="main">');
    expect(res.body).toContain('<script type="module" src="/dashboard/main.js"></script>');
    // No third-party origin anywhere: the page works on an air-gapped wall screen.
    expect(res.body).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('serves built modules and the stylesheet, and answers 304 to a matching ETag', async () => {
    const js = await get('/dashboard/main.js');
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const css = await get('/dashboard/dashboard.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const again = await get('/dashboard/dashboard.css', {
      'if-none-match': String(css.headers.etag),
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('answers 404 with a code for anything not among its files', async () => {
    for (const url of [
      '/dashboard/secret.txt',
      '/dashboard/nope.js',
      '/dashboard/..%2Fpackage.json',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ message: expect.stringContaining('no file') });
    }
  });
});
