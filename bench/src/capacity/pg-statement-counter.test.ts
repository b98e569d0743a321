import { describe, expect, it } from 'vitest';
import { frontendParser } from './pg-statement-counter.js';

const untyped = (code: number, body = Buffer.alloc(0)): Buffer => {
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(code, 4);
  return Buffer.concat([head, body]);
};
const typed = (type: string, body: string): Buffer => {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(4 + Buffer.byteLength(body), 1);
  return Buffer.concat([head, Buffer.from(body)]);
};

describe('frontendParser', () => {
  it('skips the startup (after an SSL request) and reports each typed message, across chunks', () => {
    const seen: string[] = [];
    const parse = frontendParser((type) => seen.push(type));
    const stream = Buffer.concat([
      untyped(80877103),
      untyped(196608, Buffer.from('user\0postgres\0\0')),
      typed('Q', 'BEGIN\0'),
      typed('P', '\0SELECT 1\0\0\0'),
      typed('B', '\0\0\0\0\0\0\0'),
      typed('E', '\0\0\0\0\0'),
      typed('S', ''),
      typed('Q', 'COMMIT\0'),
    ]);
    // One byte at a time: every boundary falls inside some message.
    for (let i = 0; i < stream.length; i += 1) parse(stream.subarray(i, i + 1));
    expect(seen).toEqual(['Q', 'P', 'B', 'E', 'S', 'Q']);
  });

  it('reports nothing for a startup alone, nor for a message not yet complete', () => {
    const seen: string[] = [];
    const parse = frontendParser((type) => seen.push(type));
    parse(untyped(196608, Buffer.from('user\0x\0\0')));
    parse(typed('Q', 'SELECT 1\0').subarray(0, 6));
    expect(seen).toEqual([]);
  });
});
