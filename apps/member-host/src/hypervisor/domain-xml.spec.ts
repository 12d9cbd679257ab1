import { LIBVIRT_METADATA_NS, libvirtMetadataXml } from '@pool/contracts';
import { describe, expect, it } from 'vitest';
import { readDomainIdentity } from './domain-xml.js';

const UUID = '4DFFE9A6-1C4B-4C51-9B5A-9E1F0E2D3C4B';
const domain = (metadata: string) =>
  `<domain type='kvm' id='3'>\n  <name>web-guest</name>\n  <uuid>${UUID}</uuid>\n` +
  `  <metadata>\n    ${metadata}\n  </metadata>\n  <devices>\n` +
  `    <interface type='bridge'><source bridge='pnb-0123456789'/></interface>\n` +
  `  </devices>\n</domain>\n`;

describe('readDomainIdentity', () => {
  it("reads the name, the UUID (lowercase, as libvirt's interfaceid) and poolnet's element", () => {
    expect(readDomainIdentity(domain(libvirtMetadataXml('demo', 'web-1')))).toEqual({
      name: 'web-guest',
      uuid: UUID.toLowerCase(),
      poolnet: { pool: 'demo', vmId: 'web-1' },
    });
  });

  it('finds the element by its namespace, whatever prefix libvirt or the operator wrote', () => {
    const other = `<x:vm xmlns:x='${LIBVIRT_METADATA_NS}' id='web-2'/>`;
    const plain = `<vm xmlns='${LIBVIRT_METADATA_NS}' id='web-3' pool='demo'></vm>`;
    expect(readDomainIdentity(domain(other)).poolnet).toEqual({ pool: undefined, vmId: 'web-2' });
    expect(readDomainIdentity(domain(plain)).poolnet).toEqual({ pool: 'demo', vmId: 'web-3' });
  });

  it("ignores another application's metadata and a vm element outside metadata", () => {
    const foreign = `<app:vm xmlns:app='urn:example:other' id='not-ours'/>`;
    expect(readDomainIdentity(domain(foreign)).poolnet).toBeUndefined();
    const misplaced = `<domain><name>d</name><vm xmlns='${LIBVIRT_METADATA_NS}' id='x'/></domain>`;
    expect(readDomainIdentity(misplaced).poolnet).toBeUndefined();
  });

  it('refuses what is not well-formed XML', () => {
    expect(() => readDomainIdentity('<domain><name>x</domain>')).toThrow();
    expect(() => readDomainIdentity('')).toThrow();
  });
});
