import { Controller, Get, Headers, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@pool/platform';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import { type Asset, DashboardAssets } from './dashboard-assets.js';
import { IMPORT_MAP } from './page/shell.js';

/**
 * Scripts, styles and data from this origin only: the page works on an air-gapped wall screen
 * and an injected string cannot load anything (renderers escape, CSP is the second line).
 */
const PAGE_CSP = [
  "default-src 'self'",
  // The import map is an inline script: allowed by its hash, nothing else inline is.
  `script-src 'self' 'sha256-${createHash('sha256').update(IMPORT_MAP).digest('base64')}'`,
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The live dashboard at `/`, its assets under `/dashboard/`; the read API stays under `/api`.
 * Public: the page and its code hold no pool data; the API calls it makes carry the token.
 */
@ApiExcludeController()
@Public()
@Controller()
export class DashboardController {
  constructor(@Inject(DashboardAssets) private readonly assets: DashboardAssets) {}

  @Get()
  page(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() reply: FastifyReply) {
    reply.header('content-security-policy', PAGE_CSP);
    reply.header('x-frame-options', 'DENY');
    return send(reply, this.assets.page, ifNoneMatch);
  }

  @Get('dashboard/:file')
  asset(
    @Param('file') file: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    return this.serve(file, ifNoneMatch, reply);
  }

  /** The console's modules (client/console/). */
  @Get('dashboard/console/:file')
  consoleAsset(
    @Param('file') file: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    return this.serve(`console/${file}`, ifNoneMatch, reply);
  }

  private serve(file: string, ifNoneMatch: string | undefined, reply: FastifyReply) {
    const found = this.assets.get(file);
    if (!found) {
      throw new NotFoundException({
        code: 'ASSET_NOT_FOUND',
        message: `The dashboard has no file named ${JSON.stringify(file)}.`,
      });
    }
    return send(reply, found, ifNoneMatch);
  }
}

/** Revalidated on every load (`no-cache` + ETag), so a new release shows without a hard reload. */
function send(reply: FastifyReply, asset: Asset, ifNoneMatch: string | undefined): FastifyReply {
  reply
    .header('cache-control', 'no-cache')
    .header('etag', asset.etag)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
  if (ifNoneMatch === asset.etag) return reply.code(304).send();
  return reply.header('content-type', asset.contentType).send(asset.body);
}
