/**
 * The offline generator's genome: one choice per building block of a codec. Pure data and the
 * pure functions that keep genomes canonical (so that two genomes that render the same codec
 * are the same genome) and enumerate the space.
 */

/** Every gene and its domain, in the order genes are listed, mutated and rendered. */
export const GENE_DOMAINS = {
  /** Planes coded: B, G, R; or a luma plane plus two chroma planes. */
  colour: ['bgr', 'ycbcr', 'ycocg'],
  /** Chroma plane resolution (only with a luma/chroma colour space). */
  chroma: ['444', '422', '420'],
  /** Quantiser step of the chroma planes relative to luma. */
  chromaQ: [1, 1.5, 2, 3],
  /** Block transform: none (pixels in 8x8 blocks) or an orthonormal DCT through cv2.dct. */
  transform: ['none', 'dct4', 'dct8', 'dct16'],
  /** Frequency weighting of the quantiser step. */
  qtable: ['flat', 'mild', 'jpeg'],
  /** Rounding offset of the quantiser (0.5 = nearest; smaller = a dead zone around zero). */
  rounding: [0.5, 0.35, 0.2],
  prediction: ['intra', 'inter'],
  /** Keyframe interval of inter prediction. */
  keyint: [4, 8, 16, 32],
  /** Keyframe quantiser step relative to inter frames (later frames inherit a keyframe's detail). */
  keyStep: [1, 0.7, 0.5],
  /** Motion model of inter prediction: none, one vector per frame, or one per block. */
  motion: ['zero', 'global', 'block16', 'block8'],
  /** Motion vector precision. */
  subpel: ['int', 'half', 'quarter'],
  /** How quantised levels (and motion vectors) become bytes. */
  entropy: ['varint', 'rle', 'rle_deflate', 'png_freq', 'png_block', 'webp_freq', 'arith'],
  /** In-loop deblocking of block edges. */
  deblock: ['off', 'on'],
} as const;

type Domains = typeof GENE_DOMAINS;
export type GeneName = keyof Domains;
export type Genome = { readonly [K in GeneName]: Domains[K][number] };

export const GENE_NAMES = Object.keys(GENE_DOMAINS) as readonly GeneName[];

/** The search's starting point: a per-frame, JPEG-like intra codec. */
export const JPEG_LIKE: Genome = Object.freeze({
  colour: 'ycbcr',
  chroma: '420',
  chromaQ: 1.5,
  transform: 'dct8',
  qtable: 'jpeg',
  rounding: 0.5,
  prediction: 'intra',
  keyint: 8,
  keyStep: 1,
  motion: 'zero',
  subpel: 'int',
  entropy: 'rle',
  deblock: 'off',
});

/**
 * The genome with genes that cannot matter set to fixed values: chroma settings of BGR,
 * the frequency table without a transform, the inter genes of an intra codec, sub-pel of zero
 * motion. Two genomes render the same codec if and only if their canonical forms are equal.
 */
export function canonical(genome: Genome): Genome {
  const g: { -readonly [K in GeneName]: Genome[K] } = { ...genome };
  if (g.colour === 'bgr') {
    g.chroma = '444';
    g.chromaQ = 1;
  }
  if (g.transform === 'none') g.qtable = 'flat';
  if (g.prediction === 'intra') {
    g.keyint = JPEG_LIKE.keyint;
    g.keyStep = JPEG_LIKE.keyStep;
    g.motion = 'zero';
  }
  if (g.motion === 'zero') g.subpel = 'int';
  return Object.freeze(g);
}

/** Canonical JSON with genes in domain order: the identity of a genome. */
export function genomeKey(genome: Genome): string {
  const g = canonical(genome);
  return JSON.stringify(Object.fromEntries(GENE_NAMES.map((name) => [name, g[name]])));
}

export function isGenome(value: unknown): value is Genome {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return GENE_NAMES.every((name) =>
    (GENE_DOMAINS[name] as readonly unknown[]).includes(record[name]),
  );
}

/** Reads a genome from an attempt's origin (`{genome: {...}}`), or null. */
export function genomeFromOrigin(
  origin: Readonly<Record<string, unknown>> | undefined,
): Genome | null {
  const genome = origin?.genome;
  return isGenome(genome) ? canonical(genome) : null;
}

/** How many genomes the domains allow before canonicalisation (the space is searched, not listed). */
export function rawSpaceSize(): number {
  return GENE_NAMES.reduce((size, name) => size * GENE_DOMAINS[name].length, 1);
}

/** The values a gene may take in this genome that would change the rendered codec. */
export function liveValues<K extends GeneName>(genome: Genome, name: K): Genome[K][] {
  const key = genomeKey(genome);
  return (GENE_DOMAINS[name] as readonly unknown[] as readonly Genome[K][]).filter(
    (value) => genomeKey({ ...genome, [name]: value }) !== key,
  );
}
