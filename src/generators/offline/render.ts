/**
 * Genome → one self-contained Python codec file (docs/ARCHITECTURE.md §2): the building blocks the genome
 * chose, joined by a fixed skeleton. Deterministic: the same genome renders the same bytes, and
 * the codec it renders uses no randomness. Pure but for reading the building blocks'
 * assets/offline/*.py once (python-blocks.ts).
 *
 * The file is a list of sections. Each section declares the genes it reads and is handed only
 * those (a projection of the genome), so the set of distinct sections over the whole space is
 * small and can be checked exhaustively (test/unit/offline-render.test.ts) although the space
 * itself is far too large to render genome by genome.
 */
import {
  blockSize,
  chromaBlock,
  colourBlock,
  deblockBlock,
  quantiserBlock,
  transformBlock,
} from './blocks-picture.js';
import { entropyBlock, needsStruct } from './blocks-entropy.js';
import { motionBlock, motionBlockSize } from './blocks-motion.js';
import { canonical, GENE_NAMES, genomeKey, type GeneName, type Genome } from './genome.js';
import {
  geometryBlock,
  reconstructBlock,
  skeletonBlock,
  stepBlock,
  tunablesBlock,
} from './skeleton.js';

export { STEP_LOG2_MAX, STEP_LOG2_RANGE } from './skeleton.js';

export interface Section {
  readonly name: string;
  /** Constants: printed next to the previous constants, not set apart. */
  readonly compact: boolean;
  /** The only genes `render` is given. */
  readonly genes: readonly GeneName[];
  readonly render: (genes: Partial<Genome>) => string;
}

/** Declares a section reading genes K; the projection it gets holds exactly those genes. */
function section<K extends GeneName>(
  name: string,
  genes: readonly K[],
  render: (genes: Pick<Genome, K>) => string,
  compact = false,
): Section {
  return { name, genes, compact, render: render as (genes: Partial<Genome>) => string };
}

function constants<K extends GeneName>(
  name: string,
  genes: readonly K[],
  render: (genes: Pick<Genome, K>) => string,
): Section {
  return section(name, genes, render, true);
}

export const SECTIONS: readonly Section[] = [
  section('imports', ['entropy'], (g) =>
    ['import cv2', 'import numpy as np', ...(needsStruct(g) ? ['import struct'] : [])].join('\n'),
  ),
  constants('blocks', ['transform', 'prediction', 'motion'], (g) => {
    const block = blockSize(g);
    const motionAligned = g.prediction === 'inter' && g.motion.startsWith('block');
    const align = motionAligned ? Math.max(block, motionBlockSize(g)) : block;
    return `BLOCK = ${block}\nALIGN = ${align}`;
  }),
  section(
    'tunables',
    ['colour', 'chromaQ', 'rounding', 'prediction', 'keyint', 'keyStep'],
    tunablesBlock,
  ),
  section('step', [], stepBlock),
  section('chroma', ['colour', 'chroma'], chromaBlock),
  section('colour', ['colour'], colourBlock),
  section('geometry', [], geometryBlock),
  section('transform', ['transform'], transformBlock),
  section('quantiser', ['qtable', 'colour'], quantiserBlock),
  section('deblock', ['deblock'], deblockBlock),
  section('motion', ['prediction', 'motion', 'subpel'], motionBlock),
  section('entropy', ['entropy'], entropyBlock),
  section('reconstruct', ['deblock'], (g) => reconstructBlock(g.deblock === 'on')),
  section('skeleton', ['prediction'], (g) => skeletonBlock(g.prediction)),
];

function project(genome: Genome, genes: readonly GeneName[]): Partial<Genome> {
  return Object.fromEntries(genes.map((name) => [name, genome[name]]));
}

/** The code sections of a genome's file, in order (empty ones dropped). */
export function renderSections(
  input: Genome,
): Array<{ readonly compact: boolean; readonly text: string }> {
  const genome = canonical(input);
  return SECTIONS.map((s) => ({
    compact: s.compact,
    text: s.render(project(genome, s.genes)).trim(),
  })).filter((s) => s.text.length > 0);
}

/**
 * The origin comment the loop reads back (src/loop/context.ts): `{"genome": {...}}` on one line.
 * Only the genome, so that the code is a function of the genome alone and the store's
 * identical-code check also catches a genome proposed twice.
 */
export function originLine(genome: Genome): string {
  return `{"genome":${genomeKey(genome)}}`;
}

/** The header: comments only (the genome itself and a readable summary). */
export function renderHeader(input: Genome): string {
  const genome = canonical(input);
  return [
    `# origin: ${originLine(genome)}`,
    '# codec-lab offline generator (offline-search-v1): a codec assembled from building blocks.',
    `# ${describe(genome)}`,
    '# Contract: docs/ARCHITECTURE.md section 2. Deterministic: no randomness, no clocks; inter frames are',
    "# predicted from the reconstruction the decoder will also have (kept in config['state']).",
  ].join('\n');
}

export function render(genome: Genome): string {
  let out = renderHeader(genome);
  let previousCompact = false;
  for (const { compact, text } of renderSections(genome)) {
    out += (compact && previousCompact ? '\n' : '\n\n\n') + text;
    previousCompact = compact;
  }
  return `${out}\n`;
}

/** One line a person reads in the file header. */
export function describe(genome: Genome): string {
  const g = canonical(genome);
  const name = { bgr: 'BGR', ycbcr: 'YCbCr', ycocg: 'YCoCg' }[g.colour];
  const colour = g.colour === 'bgr' ? 'BGR planes' : `${name} ${g.chroma.split('').join(':')}`;
  const prediction =
    g.prediction === 'intra'
      ? 'intra only'
      : `inter (keyframe every ${g.keyint} at step x${g.keyStep}, motion ${g.motion}${g.motion === 'zero' ? '' : ` ${g.subpel}-pel`})`;
  return [
    colour,
    g.colour === 'bgr' ? null : `chroma step x${g.chromaQ}`,
    g.transform === 'none' ? 'no transform' : g.transform.toUpperCase(),
    `${g.qtable} quantiser, rounding ${g.rounding}`,
    prediction,
    `entropy ${g.entropy}`,
    g.deblock === 'on' ? 'deblocked' : null,
  ]
    .filter((part) => part !== null)
    .join(', ');
}

/** Genes no section reads would be dead weight in the search: none may exist. */
export function unreadGenes(): GeneName[] {
  const read = new Set(SECTIONS.flatMap((s) => s.genes));
  return GENE_NAMES.filter((name) => !read.has(name));
}
