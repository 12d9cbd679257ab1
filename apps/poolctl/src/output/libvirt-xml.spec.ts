import { bridgeName, LIBVIRT_METADATA_NS, portName } from '@pool/contracts';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { CliError } from '../cli/errors.js';
import type { VifView } from '../read/views.js';
import { libvirtDomainXml } from './libvirt-xml.js';

const VIF_A = '0b7f5a8e-2c1d-4e6f-9a0b-1c2d3e4f5a6b';
const VIF_B = 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b';

const vif = (id: string, device: number, networkId: string, mac: string): VifView =>
  ({ id, device, networkId, mac }) as VifView;

interface Element {
  name: string;
  uri: string;
  attributes: Record<string, string>;
  children: Element[];
}

/** Parses the printed text as XML (one root around it), namespaces resolved. */
function parse(text: string): Element {
  const parser = new SaxesParser({ xmlns: true });
  const top: Element = { name: '', uri: '', attributes: {}, children: [] };
  const open: Element[] = [top];
  parser.on('opentag', (tag) => {
    const attributes = Object.fromEntries(
      Object.values(tag.attributes).map((a) => [a.name, a.value]),
    );
    const element = { name: tag.local, uri: tag.uri, attributes, children: [] };
    open.at(-1)!.children.push(element);
    open.push(element);
  });
  parser.on('closetag', () => open.pop());
  parser.write(`<root>${text}</root>`).close();
  return top.children[0]!;
}

const child = (e: Element, name: string): Element => e.children.find((c) => c.name === name)!;

describe('poolctl vm libvirt-xml', () => {
  const networks = [
    { id: 'prod', mtu: 1500 },
    { id: 'tenant', mtu: 1450 },
  ];
  const vm = {
    id: 'web-1',
    vifs: [
      vif(VIF_B, 1, 'tenant', '52:54:00:00:00:02'),
      vif(VIF_A, 0, 'prod', '52:54:00:00:00:01'),
    ],
  };

  it('prints the metadata element and one bridge interface per VIF, in device order', () => {
    const doc = parse(libvirtDomainXml('demo', vm, networks, 'iface-id'));
    const metadata = child(doc, 'metadata');
    expect(metadata.children).toEqual([
      {
        name: 'vm',
        uri: LIBVIRT_METADATA_NS,
        attributes: { 'xmlns:poolnet': LIBVIRT_METADATA_NS, pool: 'demo', id: 'web-1' },
        children: [],
      },
    ]);
    const interfaces = doc.children.filter((c) => c.name === 'interface');
    expect(interfaces.map((i) => i.attributes.type)).toEqual(['bridge', 'bridge']);
    const [first, second] = interfaces as [Element, Element];
    expect(child(first, 'source').attributes).toEqual({ bridge: bridgeName('prod') });
    expect(child(first, 'mac').attributes).toEqual({ address: '52:54:00:00:00:01' });
    expect(child(first, 'virtualport').attributes).toEqual({ type: 'openvswitch' });
    expect(child(child(first, 'virtualport'), 'parameters').attributes).toEqual({
      interfaceid: VIF_A,
    });
    expect(child(first, 'mtu').attributes).toEqual({ size: '1500' });
    // libvirt names the tap itself (vnetN); the member host adopts it by its iface-id.
    expect(first.children.find((c) => c.name === 'target')).toBeUndefined();
    expect(child(second, 'source').attributes).toEqual({ bridge: bridgeName('tenant') });
    expect(child(second, 'mtu').attributes).toEqual({ size: '1450' });
  });

  it("prints ethernet interfaces under the ports' names for VIF_BINDING=name", () => {
    const doc = parse(libvirtDomainXml('demo', vm, networks, 'name'));
    const [first] = doc.children.filter((c) => c.name === 'interface') as [Element];
    expect(first.attributes).toEqual({ type: 'ethernet' });
    expect(child(first, 'target').attributes).toEqual({ dev: portName(VIF_A) });
    expect(first.children.map((c) => c.name)).toEqual(['mac', 'target', 'model', 'mtu']);
  });

  it('escapes what it quotes, and keeps ids with -- out of breaking a comment', () => {
    const odd = { id: `a--b'<&>"-`, vifs: [vif('x--y-', 0, 'prod', '52:54:00:00:00:09')] };
    const text = libvirtDomainXml('p--q', odd, networks, 'name');
    const doc = parse(text); // throws on anything malformed
    expect(child(child(doc, 'metadata'), 'vm').attributes.id).toBe(`a--b'<&>"-`);
    expect(child(child(doc, 'metadata'), 'vm').attributes.pool).toBe('p--q');
  });

  it('refuses VIF ids libvirt cannot carry as an interfaceid, naming them', () => {
    const named = { id: 'web-1', vifs: [vif('web-1-eth0', 0, 'prod', '52:54:00:00:00:01')] };
    let refusal: unknown;
    try {
      libvirtDomainXml('demo', named, networks, 'iface-id');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(CliError);
    expect((refusal as CliError).code).toBe('VIF_ID_NOT_UUID');
    expect((refusal as CliError).message).toContain('web-1-eth0');
    expect(libvirtDomainXml('demo', named, networks, 'name')).toContain(portName('web-1-eth0'));
  });
});
