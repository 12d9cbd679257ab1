import { type Context } from '../cli/context.js';
import { type HostDetail } from '../read/views.js';

/** The details of one host, or of every host of the pool (PIFs and bonds live there). */
export async function hostDetails(
  ctx: Context,
  pool: string,
  host?: string,
): Promise<HostDetail[]> {
  if (host !== undefined) return [await ctx.reads.host(pool, await ctx.names.host(pool, host))];
  const hosts = await ctx.reads.hosts(pool);
  return Promise.all(hosts.map((h) => ctx.reads.host(pool, h.id)));
}
