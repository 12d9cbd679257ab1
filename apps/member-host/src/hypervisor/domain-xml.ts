import { LIBVIRT_METADATA_NS } from '@pool/contracts';
import { SaxesParser } from 'saxes';

/** What the hook needs of the domain XML libvirt hands it on stdin. */
export interface DomainIdentity {
  name: string | undefined;
  uuid: string | undefined;
  /** From `<metadata><poolnet:vm pool='…' id='…'/>` (namespace LIBVIRT_METADATA_NS), if there. */
  poolnet: { pool: string | undefined; vmId: string } | undefined;
}

/** A domain XML is a few kilobytes; anything far larger is not one. */
export const MAX_DOMAIN_XML = 1024 * 1024;

/**
 * Reads the domain's name and UUID (children of the root `<domain>`) and poolnet's metadata
 * element, namespaces resolved, so any prefix the operator chose works. Throws on XML that is
 * not well-formed (saxes is strict).
 */
export function readDomainIdentity(xml: string): DomainIdentity {
  const parser = new SaxesParser({ xmlns: true });
  const path: string[] = [];
  const identity: DomainIdentity = { name: undefined, uuid: undefined, poolnet: undefined };
  let text = '';
  parser.on('opentag', (tag) => {
    path.push(tag.local);
    text = '';
    const inMetadata = path.length === 3 && path[0] === 'domain' && path[1] === 'metadata';
    if (inMetadata && tag.uri === LIBVIRT_METADATA_NS && tag.local === 'vm') {
      const attribute = (name: string) => tag.attributes[name]?.value;
      const vmId = attribute('id');
      if (vmId !== undefined) identity.poolnet = { pool: attribute('pool'), vmId };
    }
  });
  parser.on('text', (chunk) => (text += chunk));
  parser.on('closetag', (tag) => {
    if (path.length === 2 && path[0] === 'domain') {
      if (tag.local === 'name') identity.name = text.trim();
      if (tag.local === 'uuid') identity.uuid = text.trim().toLowerCase();
    }
    path.pop();
  });
  parser.write(xml).close();
  return identity;
}
