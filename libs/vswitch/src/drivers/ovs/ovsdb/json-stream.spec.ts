import { describe, expect, it } from 'vitest';
import { JsonStreamSplitter } from './json-stream.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('JsonStreamSplitter (OVSDB messages back to back, no delimiter)', () => {
  it('splits several messages in one chunk, whitespace between them ignored', () => {
    const splitter = new JsonStreamSplitter();
    expect(splitter.push(bytes('{"id":1,"result":[]} \n{"id":2,"result":{"a":[1,2]}}'))).toEqual([
      { id: 1, result: [] },
      { id: 2, result: { a: [1, 2] } },
    ]);
  });

  it('joins a message cut anywhere, braces and escaped quotes inside strings included', () => {
    const message = { method: 'update', params: ['x', { s: 'a}"{\\"]', n: 'é€😀' }], id: null };
    const text = JSON.stringify(message);
    const all = bytes(text + text);
    for (let cut = 1; cut < all.length; cut++) {
      const splitter = new JsonStreamSplitter();
      const got = [...splitter.push(all.subarray(0, cut)), ...splitter.push(all.subarray(cut))];
      expect(got, `cut at byte ${cut}`).toEqual([message, message]);
    }
  });

  it('fails on bytes that cannot start a message', () => {
    expect(() => new JsonStreamSplitter().push(bytes('x{}'))).toThrow(/unexpected byte/);
  });
});
