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

// Whole files changed on purpose: the header cites docs/ARCHITECTURE.md; the numeric genes are
// the contract's TUNABLES, read through _params(config) (issue 15; same bitstreams at the
// defaults: test/integration/offline-tunables.test.ts).
const PIN_FILES = {
  jpegLike: '87105a575d7a342e8329b90f0839f1159bb6e61b6fde1058e1735b77c2aac11b',
  interBlockArith: '913dfffbba2132d3e2f0b4343cc45b855d46f2138383d808d153b5e5950b6994',
  globalWebp: 'ff48f05e8d169f39e7815094975d5adc6401695faf4bbc937ecafeaf2cf630a8',
  bgrPixels: '331422e1e3bed0cce931f19302c3d60af9e91d2925451a94c6eed96fbde88773',
};

describe('offline renderer output is pinned', () => {
  it('every variant of every section renders the pinned bytes', () => {
    const texts = SECTIONS.flatMap((section) =>
      combinations(section.genes).map((genes) => `${section.name}\n${section.render(genes)}`),
    );
    expect(sha256(texts.join('\u0000'))).toBe(
      'c3ad0c8461a994d94c2a90c75594134a80966557ebb862be43a53150a1de8ace',
    );
  });

  it('whole files render the pinned bytes', () => {
    const digests = Object.fromEntries(
      Object.entries(GENOMES).map(([name, genome]) => [name, sha256(render(genome))]),
    );
    expect(digests).toEqual(PIN_FILES);
  });
});
