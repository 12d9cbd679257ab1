import { describe, expect, it } from 'vitest';
import {
  announceFrames,
  gratuitousArp,
  icmpv6Checksum,
  ipv6Bytes,
  neighbourAdvertisement,
  rarp,
} from './announce.js';
import { resolveOvsOptions } from './ovs-options.js';
import { stepsFor } from './ovs-steps.js';

const MAC = '02:00:00:00:00:07';

describe('announce frames', () => {
  it('sends a RARP from the MAC, as QEMU does after a migration', () => {
    const frame = rarp(MAC);
    expect(frame).toHaveLength(60);
    expect(frame.subarray(0, 6).toString('hex')).toBe('ffffffffffff');
    expect(frame.subarray(6, 12).toString('hex')).toBe('020000000007');
    expect(frame.readUInt16BE(12)).toBe(0x8035);
    expect(frame.readUInt16BE(20)).toBe(3); // reverse request
    expect(frame.subarray(22, 28).toString('hex')).toBe('020000000007'); // sender MAC
    expect(frame.subarray(32, 38).toString('hex')).toBe('020000000007'); // target MAC
  });

  it('sends a gratuitous ARP: sender and target are the VIF address', () => {
    const frame = gratuitousArp(MAC, '10.1.2.3');
    expect(frame.readUInt16BE(12)).toBe(0x0806);
    expect(frame.readUInt16BE(20)).toBe(1);
    expect([...frame.subarray(28, 32)]).toEqual([10, 1, 2, 3]); // sender IP
    expect([...frame.subarray(38, 42)]).toEqual([10, 1, 2, 3]); // target IP
  });

  it('sends an unsolicited neighbour advertisement with a valid checksum', () => {
    const frame = neighbourAdvertisement(MAC, 'fd00::7');
    expect(frame.subarray(0, 6).toString('hex')).toBe('333300000001');
    expect(frame.readUInt16BE(12)).toBe(0x86dd);
    const ip = frame.subarray(14, 54);
    expect(ip.readUInt8(6)).toBe(58);
    expect(ip.readUInt8(7)).toBe(255);
    const icmp = frame.subarray(54, 54 + ip.readUInt16BE(4));
    expect(icmp.readUInt8(0)).toBe(136);
    expect(icmp.readUInt32BE(4)).toBe(0x2000_0000); // override only
    expect(icmp.subarray(8, 24)).toEqual(ipv6Bytes('fd00::7'));
    expect(icmp.subarray(26, 32).toString('hex')).toBe('020000000007');
    // Summing a message that includes its checksum gives 0 (i.e. its complement is 0).
    const source = ip.subarray(8, 24);
    const destination = ip.subarray(24, 40);
    expect(icmpv6Checksum(source, destination, Buffer.from(icmp))).toBe(0);
  });

  it('parses IPv6 text with and without ::', () => {
    expect(ipv6Bytes('::1').toString('hex')).toBe('00000000000000000000000000000001');
    expect(ipv6Bytes('fe80::a:b').toString('hex')).toBe(`fe80${'0000'.repeat(5)}000a000b`);
    expect(ipv6Bytes('1:2:3:4:5:6:7:8').toString('hex')).toBe('00010002000300040005000600070008');
    expect(() => ipv6Bytes('1:2::3::4')).toThrow('not an IPv6');
    expect(() => ipv6Bytes('1:2:3')).toThrow('not an IPv6');
  });

  it('announces what the VIF has: always RARP, ARP with IPv4, NA with IPv6', () => {
    expect(announceFrames({ mac: MAC })).toHaveLength(1);
    expect(announceFrames({ mac: MAC, ipv4: '10.0.0.7', ipv6: 'fd00::7' })).toHaveLength(3);
  });

  it('becomes packet-outs from the port, after the flows that let it forward', () => {
    const steps = stepsFor(
      { kind: 'announcePort', bridge: 'b', port: 'p', address: { mac: MAC, ipv4: '10.0.0.7' } },
      resolveOvsOptions(),
      () => 'x',
    );
    expect(steps.before).toEqual([]);
    expect(steps.db).toEqual([]);
    expect(steps.afterFlows).toEqual([
      {
        kind: 'bundle',
        bridge: 'b',
        lines: [
          expect.stringMatching(/^packet-out in_port=p packet=ffffffffffff0200000000078035/),
          expect.stringMatching(/^packet-out in_port=p packet=[0-9a-f]+ actions=table$/),
        ],
      },
    ]);
  });
});
