import type { FastifyInstance } from 'fastify';
import { MAX_DOMAIN_XML } from './domain-xml.js';

/** Bodies of type application/xml arrive as a string (Fastify parses only JSON and text). */
export function acceptDomainXml(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(
    ['application/xml', 'text/xml'],
    { parseAs: 'string', bodyLimit: MAX_DOMAIN_XML },
    (_request, body, done) => done(null, body),
  );
}
