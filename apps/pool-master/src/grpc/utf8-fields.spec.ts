import { describe, expect, it } from 'vitest';
import { NON_UTF8_FIELDS, parseCommandRequest } from './grpc-messages.js';
import { nonUtf8Fields } from './utf8-fields.js';

/** A length-delimited field, as protobuf encodes it (lengths under 128 here). */
const field = (n: number, bytes: number[] | string) => {
  const body = typeof bytes === 'string' ? [...Buffer.from(bytes)] : bytes;
  return [(n << 3) | 2, body.length, ...body];
};

describe('nonUtf8Fields', () => {
  it('finds nothing wrong in UTF-8 text, multi-byte characters included', () => {
    const message = [...field(1, 'lab'), ...field(3, '{"name":"café 中 😀"}')];
    expect(nonUtf8Fields(Uint8Array.from(message))).toEqual([]);
  });

  it.each([
    ['a Latin-1 é', [0x63, 0x61, 0x66, 0xe9]],
    ['a lone continuation byte', [0x61, 0x80]],
    ['an overlong /', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a sequence cut short', [0xe2, 0x82]],
  ])('names the field holding %s', (_what, bytes) => {
    const message = [...field(1, 'lab'), ...field(3, bytes), ...field(4, 'key')];
    expect(nonUtf8Fields(Uint8Array.from(message))).toEqual([3]);
  });

  it('steps over varint and fixed-size fields', () => {
    // expected_version = 300 (varint), wait_hosts = true, then a bad actor.
    const message = [(5 << 3) | 0, 0xac, 0x02, (6 << 3) | 0, 1, ...field(8, [0xff])];
    expect(nonUtf8Fields(Uint8Array.from(message))).toEqual([8]);
  });

  it('leaves a malformed message to the proto decoder', () => {
    expect(nonUtf8Fields(Uint8Array.from([(3 << 3) | 2, 10, 0x61]))).toBeUndefined();
    expect(nonUtf8Fields(Uint8Array.from([(3 << 3) | 3]))).toBeUndefined();
  });
});

describe('parseCommandRequest with text that was not UTF-8', () => {
  const request = {
    pool: 'lab',
    type: 'CreateVm',
    dataJson: '{"vmId":"v","name":"caf\uFFFD"}',
    commandId: '',
    waitHosts: false,
    waitTimeoutMs: 0,
    actor: '',
  };

  it('refuses bad data_json as MALFORMED_JSON, not as a name with U+FFFD', () => {
    expect(() => parseCommandRequest({ ...request, [NON_UTF8_FIELDS]: [3] })).toThrow(
      expect.objectContaining({ code: 'MALFORMED_JSON' }),
    );
  });

  it('refuses another bad field by name', () => {
    expect(() => parseCommandRequest({ ...request, [NON_UTF8_FIELDS]: [4] })).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        details: expect.objectContaining({ fields: ['command_id'] }),
      }),
    );
  });

  it('takes the same request when its bytes were UTF-8', () => {
    expect(parseCommandRequest(request).command.data).toEqual({ vmId: 'v', name: 'caf\uFFFD' });
  });
});
