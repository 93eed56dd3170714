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

// Whole files changed once on purpose: the header now cites docs/ARCHITECTURE.md.
const PIN_FILES = {
  jpegLike: '57f4cc8658710c23f0ce926f3cc0405c9b54971c2acaa25a23c70ecef70f75f4',
  interBlockArith: '20a0bc19a35db0147084726bd57eaf82b3b9e722a10a8692dbc6e608d6dcab80',
  globalWebp: '11da408560ea7a130a96377c8fc738c2ca7819423097cacb193881a9edada84f',
  bgrPixels: '936100b7ca7928bda28bc970023b3a10425358c580f8a3fd73b4950eedd150a6',
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
