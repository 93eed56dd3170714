import { describe, expect, it } from 'vitest';
import {
  canonical,
  genomeFromOrigin,
  genomeKey,
  isGenome,
  JPEG_LIKE,
  liveValues,
  rawSpaceSize,
  type Genome,
} from '../../src/generators/offline/genome.js';

describe('genome', () => {
  it('canonical form drops genes that cannot matter, and is idempotent', () => {
    const bgr: Genome = { ...JPEG_LIKE, colour: 'bgr', chroma: '420', chromaQ: 3 };
    expect(canonical(bgr)).toMatchObject({ chroma: '444', chromaQ: 1 });
    const intra: Genome = { ...JPEG_LIKE, motion: 'block8', subpel: 'half', keyint: 4 };
    expect(genomeKey(intra)).toBe(genomeKey(JPEG_LIKE));
    const zero: Genome = { ...JPEG_LIKE, prediction: 'inter', motion: 'zero', subpel: 'quarter' };
    expect(canonical(zero).subpel).toBe('int');
    expect(canonical({ ...JPEG_LIKE, transform: 'none' }).qtable).toBe('flat');
    for (const g of [bgr, intra, zero]) expect(canonical(canonical(g))).toEqual(canonical(g));
  });

  it('lists as live only the values that change the codec', () => {
    expect(liveValues(JPEG_LIKE, 'motion')).toEqual([]);
    expect(liveValues(JPEG_LIKE, 'prediction')).toEqual(['inter']);
    expect(liveValues(JPEG_LIKE, 'entropy')).not.toContain('rle');
    expect(liveValues({ ...JPEG_LIKE, prediction: 'inter' }, 'motion')).toEqual([
      'global',
      'block16',
      'block8',
    ]);
  });

  it('reads a genome back from an origin and refuses anything else', () => {
    expect(genomeFromOrigin({ genome: JSON.parse(genomeKey(JPEG_LIKE)) as unknown })).toEqual(
      canonical(JPEG_LIKE),
    );
    expect(genomeFromOrigin(undefined)).toBeNull();
    expect(genomeFromOrigin({ genome: { ...JPEG_LIKE, entropy: 'zstd' } })).toBeNull();
    expect(isGenome({ ...JPEG_LIKE, keyint: 5 })).toBe(false);
  });

  it('spans a space far larger than any run explores', () => {
    expect(rawSpaceSize()).toBeGreaterThan(1_000_000);
  });
});
