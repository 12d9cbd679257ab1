import { describe, expect, it } from 'vitest';
import {
  decodeError,
  decodeHeader,
  decodePortDescReply,
  describeError,
  encodeEchoReply,
  encodePortDescRequest,
  encodePortMod,
  helloAdmitsOf10,
  OfType,
  PORT_CONFIG_NO_FLOOD,
} from './of10-messages.js';

/** An ofp_phy_port as the OpenFlow 1.0 specification lays it out (48 bytes). */
function phyPort(portNo: number, mac: string, name: string, config: number): Buffer {
  const port = Buffer.alloc(48);
  port.writeUInt16BE(portNo, 0);
  Buffer.from(mac.split(':').map((h) => parseInt(h, 16))).copy(port, 2);
  port.write(name, 8, 'utf8');
  port.writeUInt32BE(config, 24);
  port.writeUInt32BE(0xffff_ffff, 28); // state: ignored, must not leak into config
  return port;
}

function statsReply(xid: number, flags: number, ports: Buffer[]): Buffer {
  const body = Buffer.concat(ports);
  const message = Buffer.alloc(12 + body.length);
  message.writeUInt8(1, 0);
  message.writeUInt8(OfType.statsReply, 1);
  message.writeUInt16BE(message.length, 2);
  message.writeUInt32BE(xid, 4);
  message.writeUInt16BE(13, 8);
  message.writeUInt16BE(flags, 10);
  body.copy(message, 12);
  return message;
}

describe('OpenFlow 1.0 messages (unit)', () => {
  it('encodes a port-desc stats request: header, OFPST_PORT_DESC, no flags', () => {
    expect(encodePortDescRequest(7).toString('hex')).toBe('0110000c00000007000d0000');
  });

  it('encodes a port mod with the port number, address, config and mask at their offsets', () => {
    const hwAddr = Buffer.from('020000000701', 'hex');
    const message = encodePortMod(
      9,
      { portNo: 0x1234, hwAddr },
      PORT_CONFIG_NO_FLOOD,
      PORT_CONFIG_NO_FLOOD,
    );
    expect(decodeHeader(message)).toEqual({ version: 1, type: 15, length: 32, xid: 9 });
    expect(message.subarray(8).toString('hex')).toBe(
      '1234' + '020000000701' + '00000010' + '00000010' + '00000000' + '00000000',
    );
  });

  it('decodes every port of a port-desc reply, names cut at their NUL, and the more flag', () => {
    const reply = statsReply(3, 1, [
      phyPort(1, '02:00:00:00:00:01', 'pnv-0123456789a', PORT_CONFIG_NO_FLOOD),
      phyPort(0xfffe, 'aa:bb:cc:dd:ee:ff', 'br0', 0),
    ]);
    const decoded = decodePortDescReply(reply);
    expect(decoded.more).toBe(true);
    expect(decoded.statsType).toBe(13);
    expect(decoded.ports.map(({ portNo, name, config }) => ({ portNo, name, config }))).toEqual([
      { portNo: 1, name: 'pnv-0123456789a', config: PORT_CONFIG_NO_FLOOD },
      { portNo: 0xfffe, name: 'br0', config: 0 },
    ]);
    expect(decoded.ports[1]?.hwAddr.toString('hex')).toBe('aabbccddeeff');
  });

  it('reads a 16-character name that fills its field (no NUL)', () => {
    const [port] = decodePortDescReply(
      statsReply(1, 0, [phyPort(2, '02:00:00:00:00:02', 'abcdefghijklmnop', 0)]),
    ).ports;
    expect(port?.name).toBe('abcdefghijklmnop');
  });

  it('answers an echo request with its payload under its xid', () => {
    const request = Buffer.from('0102000c0000002adeadbeef', 'hex');
    expect(encodeEchoReply(request).toString('hex')).toBe('0103000c0000002adeadbeef');
  });

  it('reads whether a hello admits 1.0: from its version bitmap when there is one', () => {
    const hello = (version: number, bitmap?: number) => {
      const message = Buffer.alloc(bitmap === undefined ? 8 : 16);
      message.writeUInt8(version, 0);
      message.writeUInt16BE(message.length, 2);
      if (bitmap !== undefined) {
        message.writeUInt16BE(1, 8);
        message.writeUInt16BE(8, 10);
        message.writeUInt32BE(bitmap, 12);
      }
      return message;
    };
    expect(helloAdmitsOf10(hello(1))).toBe(true);
    expect(helloAdmitsOf10(hello(6))).toBe(true);
    expect(helloAdmitsOf10(hello(6, 0b1111110))).toBe(true);
    expect(helloAdmitsOf10(hello(4, 0b10000))).toBe(false);
  });

  it('decodes and names an error', () => {
    const error = Buffer.from('0101000c0000000500040001', 'hex');
    expect(decodeError(error)).toEqual({ xid: 5, type: 4, code: 1 });
    expect(describeError(decodeError(error))).toBe('PORT_MOD_FAILED code 1');
  });
});
