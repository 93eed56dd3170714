import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  GENE_DOMAINS,
  JPEG_LIKE,
  type GeneName,
  type Genome,
} from '../../src/generators/offline/genome.js';
import { render, SECTIONS } from '../../src/generators/offline/render.js';

/**
 * The offline search's behaviour is the code it renders: these digests pin the bytes of every
 * section variant and of a few whole files, so moving the Python building blocks (or reformatting
 * them) cannot change a codec unnoticed. A deliberate change of a block updates the digests.
 */
function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function combinations(genes: readonly GeneName[]): Array<Partial<Genome>> {
  let out: Array<Record<string, unknown>> = [{}];
  for (const name of genes) {
    out = out.flatMap((partial) =>
      (GENE_DOMAINS[name] as readonly unknown[]).map((value) => ({ ...partial, [name]: value })),
    );
  }
  return out;
}

const GENOMES: Readonly<Record<string, Genome>> = {
  jpegLike: JPEG_LIKE,
  interBlockArith: {
    ...JPEG_LIKE,
    prediction: 'inter',
    motion: 'block8',
    subpel: 'quarter',
    entropy: 'arith',
    deblock: 'on',
  },
  globalWebp: {
    ...JPEG_LIKE,
    colour: 'ycocg',
    chroma: '422',
    transform: 'dct16',
    qtable: 'mild',
    prediction: 'inter',
    motion: 'global',
    subpel: 'half',
    entropy: 'webp_freq',
  },
  bgrPixels: { ...JPEG_LIKE, colour: 'bgr', transform: 'none', entropy: 'rle_deflate' },
};

const PIN_FILES = {
  jpegLike: '316fbb553dd12d63afd3730b36843eba56380e5775bf33d1bd587312e8266f75',
  interBlockArith: 'd631a1b89f5c8f2e551461860aba0f956c4977efd2294f12662dca153860997c',
  globalWebp: '949df2d237c9f8e20f19506163548ffc37e5b33a8621e706b7f81b77fc74ea7e',
  bgrPixels: '80daaa5b8f04ef86d5bc7f232f10c2c26d234593b7faebcda24002e53f93c873',
};

describe('offline renderer output is pinned', () => {
  it('every variant of every section renders the pinned bytes', () => {
    const texts = SECTIONS.flatMap((section) =>
      combinations(section.genes).map((genes) => `${section.name}\n${section.render(genes)}`),
    );
    expect(sha256(texts.join('\u0000'))).toBe(
      'f24f2c38f08bf382a9a6617358196c8c0da6ac5c6bb45d669a64a75cc84c3b11',
    );
  });

  it('whole files render the pinned bytes', () => {
    const digests = Object.fromEntries(
      Object.entries(GENOMES).map(([name, genome]) => [name, sha256(render(genome))]),
    );
    expect(digests).toEqual(PIN_FILES);
  });
});
