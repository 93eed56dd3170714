import { describe, expect, it } from 'vitest';

import {
  behaviourFingerprint,
  isFingerprint,
  type SmokeBehaviour,
} from '../../src/evaluation/behaviour.js';

const BASE: SmokeBehaviour = {
  clip: 'foreman#smoke',
  width: 64,
  height: 48,
  quality: 0.5,
  encoded: [
    { compressed: Buffer.from([1, 2, 3]), metadata: Buffer.from('{"q":1}') },
    { compressed: Buffer.from([4, 5]), metadata: Buffer.from('{}') },
  ],
  decoded: [Buffer.alloc(9, 7), Buffer.alloc(9, 8)],
};

describe('behaviourFingerprint', () => {
  it('is a sha256 that equal behaviour reproduces from copies of the bytes', () => {
    const copy: SmokeBehaviour = {
      ...BASE,
      encoded: BASE.encoded.map((f) => ({
        compressed: Buffer.from(f.compressed),
        metadata: Buffer.from(f.metadata),
      })),
      decoded: BASE.decoded.map((f) => Buffer.from(f)),
    };
    expect(isFingerprint(behaviourFingerprint(BASE))).toBe(true);
    expect(behaviourFingerprint(copy)).toBe(behaviourFingerprint(BASE));
  });

  it('changes with any byte of the bitstream, the metadata, the frames or the input', () => {
    const first = BASE.encoded[0]!;
    const variants: SmokeBehaviour[] = [
      { ...BASE, quality: 0.7 },
      { ...BASE, clip: 'akiyo#smoke' },
      { ...BASE, encoded: [{ ...first, compressed: Buffer.from([1, 2, 4]) }, BASE.encoded[1]!] },
      { ...BASE, encoded: [{ ...first, metadata: Buffer.from('{"q":2}') }, BASE.encoded[1]!] },
      { ...BASE, decoded: [BASE.decoded[0]!, Buffer.alloc(9, 9)] },
      { ...BASE, decoded: [BASE.decoded[0]!] },
    ];
    const prints = new Set([BASE, ...variants].map(behaviourFingerprint));
    expect(prints.size).toBe(variants.length + 1);
  });

  it('keeps frame boundaries: moving a byte from one field to the next is another behaviour', () => {
    const moved: SmokeBehaviour = {
      ...BASE,
      encoded: [
        { compressed: Buffer.from([1, 2]), metadata: Buffer.from('\u0003{"q":1}') },
        BASE.encoded[1]!,
      ],
    };
    expect(behaviourFingerprint(moved)).not.toBe(behaviourFingerprint(BASE));
  });
});
