/** The IVF reader that decides which bytes of the VP9 and AV1 anchors' streams count. */
import { describe, expect, it } from 'vitest';

import { ivfPayloads } from '../../src/anchors/ivf.js';

function ivf(fourcc: string, payloads: readonly number[], headerBytes = 32): Buffer {
  const header = Buffer.alloc(32);
  header.write('DKIF', 0, 'latin1');
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(headerBytes, 6);
  header.write(fourcc, 8, 'latin1');
  const frames = payloads.map((size, i) => {
    const frame = Buffer.alloc(12 + size, i + 1);
    frame.writeUInt32LE(size, 0);
    frame.writeBigUInt64LE(BigInt(i), 4);
    return frame;
  });
  return Buffer.concat([header, ...frames]);
}

describe('ivfPayloads', () => {
  it('counts the frame payloads, not the file and frame headers', () => {
    const file = ivf('VP90', [100, 7, 30]);
    expect(file.length).toBe(32 + 3 * 12 + 137);
    expect(ivfPayloads(file, 'VP90', 'vp9')).toEqual({
      fourcc: 'VP90',
      frameBytes: [100, 7, 30],
      payloadBytes: 137,
    });
  });

  it.each([
    ['a file that is not IVF', Buffer.from('not an ivf file at all, but long enough.'), /DKIF/],
    ['another codec', ivf('AV01', [10]), /FourCC "AV01", expected VP90/],
    ['an odd header length', ivf('VP90', [10], 40), /header length 40/],
    ['no frames', ivf('VP90', []), /no frames/],
    ['a truncated frame', ivf('VP90', [10, 20]).subarray(0, 32 + 12 + 10 + 12 + 5), /frame 1/],
    ['a truncated frame header', ivf('VP90', [10]).subarray(0, 32 + 6), /truncated frame header/],
  ])('refuses %s with an error naming the problem', (_, file, problem) => {
    expect(() => ivfPayloads(file, 'VP90', 'vp9 at CRF 40 on clip a')).toThrow(problem);
    expect(() => ivfPayloads(file, 'VP90', 'vp9 at CRF 40 on clip a')).toThrow(
      /vp9 at CRF 40 on clip a: .*CODEC_LAB_FFMPEG/,
    );
  });
});
