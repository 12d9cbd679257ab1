import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CONSOLE_CSS } from './page/console-styles.js';
import { DASHBOARD_CSS } from './page/styles.js';
import { DASHBOARD_HTML, FAVICON_SVG } from './page/shell.js';

export interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
}

/**
 * Browser builds of the libraries the client imports by bare name (the page's import map):
 * read from the installed package, served under the name the map gives.
 */
const VENDOR_MODULES: Record<string, string> = {
  'lit-html.js': browserBuild('lit-html', 'lit-html.js'),
};

/** A file at the root of an installed package (Node resolves to its `node/` build instead). */
function browserBuild(pkg: string, file: string): string {
  const resolved = createRequire(import.meta.url).resolve(pkg);
  const root = resolved.slice(0, resolved.lastIndexOf(`/${pkg}/`) + pkg.length + 2);
  return `${root}${file}`;
}

/** Where tsc puts the browser modules: `client/` beside this file in `dist/`. */
export const CLIENT_DIR = fileURLToPath(new URL('./client/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
};

const asset = (body: Buffer | string, name: string): Asset => {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const extension = name.slice(name.lastIndexOf('.'));
  return {
    body: bytes,
    contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`,
  };
};

/**
 * The page, its stylesheet and the compiled browser modules, read once at boot and served from
 * memory. Only files found here are ever served: a request names a file, never a path.
 */
export class DashboardAssets {
  private constructor(
    readonly page: Asset,
    private readonly files: ReadonlyMap<string, Asset>,
  ) {}

  static async load(clientDir: string = CLIENT_DIR): Promise<DashboardAssets> {
    const files = new Map<string, Asset>([
      ['dashboard.css', asset(DASHBOARD_CSS + CONSOLE_CSS, 'dashboard.css')],
      ['favicon.svg', asset(FAVICON_SVG, 'favicon.svg')],
    ]);
    for (const [name, path] of Object.entries(VENDOR_MODULES)) {
      files.set(name, asset(await readFile(path), name));
    }
    // The console's modules live in client/console/, served as `console/<name>`.
    for (const folder of ['', 'console/']) {
      const names = await readdir(`${clientDir}${folder}`).catch(() => [] as string[]);
      for (const name of names) {
        if (!name.endsWith('.js') && !name.endsWith('.js.map')) continue;
        files.set(`${folder}${name}`, asset(await readFile(`${clientDir}${folder}${name}`), name));
      }
    }
    return new DashboardAssets(asset(DASHBOARD_HTML, 'index.html'), files);
  }

  /** False when the browser modules were not built (the service runs from sources). */
  get hasClient(): boolean {
    return this.files.has('main.js');
  }

  get(name: string): Asset | undefined {
    return this.files.get(name);
  }
}
