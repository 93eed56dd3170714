/**
 * The offline program search: from what was measured so far, the next genome to try. Pure and
 * seeded: the same seed and the same history give the same proposal. It knows only the results
 * it is told (BD-rates, failures, adoptions), never the codecs' quality in advance.
 *
 * Start from a JPEG-like intra codec; then mutate one or two genes of the best versions (mostly
 * the incumbent) or recombine two good ones, never proposing a genome already tried. Gene values
 * are drawn with a preference for those whose past changes came with improvements (credit), plus
 * an exploration bonus for values never tried.
 */
import { credits, fitness, type Credits, type SearchRecord, valueScore } from './credit.js';
import {
  canonical,
  GENE_DOMAINS,
  GENE_NAMES,
  genomeKey,
  JPEG_LIKE,
  liveValues,
  type GeneName,
  type Genome,
} from './genome.js';
import { mulberry32 } from '../../random.js';

export interface SearchInput {
  readonly seed: number;
  /** Every attempt with a result, oldest first. */
  readonly history: readonly SearchRecord[];
  /** The adopted best version's genome, when one was adopted. */
  readonly incumbent: Genome | null;
  /** Genomes proposed before whose results are not known (yet): never proposed again. */
  readonly pending: readonly Genome[];
}

export { fitness, type SearchRecord } from './credit.js';

export type Operator = 'start' | 'mutate' | 'crossover' | 'explore';

export interface Proposal {
  readonly genome: Genome;
  readonly operator: Operator;
  readonly parents: readonly Genome[];
  /** The genes that differ from the first parent. */
  readonly changed: readonly GeneName[];
}

/** A 32-bit hash mixing the seed with a number (FNV-1a over their bytes). */
export function mixSeed(seed: number, salt: number): number {
  let hash = 0x811c9dc5;
  for (const value of [seed >>> 0, salt >>> 0]) {
    for (let shift = 0; shift < 32; shift += 8) {
      hash = Math.imul(hash ^ ((value >>> shift) & 0xff), 0x01000193) >>> 0;
    }
  }
  return hash;
}

const ELITES = 4;
const CROSSOVER_PROBABILITY = 0.15;
/** Crossover partners must be within this many BD-rate points of the leader. */
const CROSSOVER_MARGIN = 10;
const INCUMBENT_PARENT_PROBABILITY = 0.75;
const TWO_GENE_PROBABILITY = 0.15;
/** Softmax temperature over value scores, in BD-rate percent. */
const TEMPERATURE = 4;

export interface Elite {
  readonly genome: Genome;
  /** Its fitness (lower is better); the incumbent's is its measured one when known. */
  readonly score: number;
}

/** The best distinct measured genomes, best first; the incumbent always leads when known. */
export function elites(input: SearchInput, count = ELITES): Elite[] {
  const best = new Map<string, Elite>();
  for (const record of input.history) {
    const score = fitness(record);
    if (!Number.isFinite(score)) continue;
    const key = genomeKey(record.genome);
    const known = best.get(key);
    if (known === undefined || score < known.score) {
      best.set(key, { genome: canonical(record.genome), score });
    }
  }
  const ranked = [...best.values()].sort((a, b) => a.score - b.score);
  if (input.incumbent === null) return ranked.slice(0, count);
  const incumbentKey = genomeKey(input.incumbent);
  const incumbent: Elite = best.get(incumbentKey) ?? {
    genome: canonical(input.incumbent),
    score: ranked[0]?.score ?? 0,
  };
  return [incumbent, ...ranked.filter((e) => genomeKey(e.genome) !== incumbentKey)].slice(0, count);
}

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Draws an index with probability proportional to exp(score / TEMPERATURE). */
function softmaxPick(random: () => number, scores: readonly number[]): number {
  const top = Math.max(...scores);
  const weights = scores.map((score) => Math.exp((score - top) / TEMPERATURE));
  let target = random() * weights.reduce((sum, w) => sum + w, 0);
  for (let i = 0; i < weights.length; i++) {
    target -= weights[i] ?? 0;
    if (target < 0) return i;
  }
  return weights.length - 1;
}

function differingGenes(a: Genome, b: Genome): GeneName[] {
  const ca = canonical(a);
  const cb = canonical(b);
  return GENE_NAMES.filter((name) => ca[name] !== cb[name]);
}

/** One gene changed, chosen by credit among changes that lead to untried genomes; or null. */
function mutateOnce(
  random: () => number,
  parent: Genome,
  tried: ReadonlySet<string>,
  credit: Credits,
): Genome | null {
  const options: Array<{ genome: Genome; score: number }> = [];
  for (const name of GENE_NAMES) {
    for (const value of liveValues(parent, name)) {
      const genome = canonical({ ...parent, [name]: value });
      if (tried.has(genomeKey(genome))) continue;
      options.push({ genome, score: valueScore(credit, name, value) });
    }
  }
  if (options.length === 0) return null;
  return (
    options[
      softmaxPick(
        random,
        options.map((o) => o.score),
      )
    ]?.genome ?? null
  );
}

function mutate(
  random: () => number,
  parent: Genome,
  tried: ReadonlySet<string>,
  credit: Credits,
): Genome | null {
  const first = mutateOnce(random, parent, tried, credit);
  if (first === null || random() >= TWO_GENE_PROBABILITY) return first;
  // A second gene on top of the first; the one-gene child stays a fine answer if none is free.
  return mutateOnce(random, first, new Set([...tried, genomeKey(first)]), credit) ?? first;
}

function crossover(random: () => number, a: Genome, b: Genome): Genome {
  const child = Object.fromEntries(
    GENE_NAMES.map((name) => [name, random() < 0.5 ? a[name] : b[name]]),
  ) as unknown as Genome;
  return canonical(child);
}

/** A random untried genome: the search's last resort once every neighbour was tried. */
function explore(random: () => number, tried: ReadonlySet<string>): Genome | null {
  for (let i = 0; i < 1000; i++) {
    const genome = canonical(
      Object.fromEntries(
        GENE_NAMES.map((name) => [name, pick(random, GENE_DOMAINS[name] as readonly unknown[])]),
      ) as unknown as Genome,
    );
    if (!tried.has(genomeKey(genome))) return genome;
  }
  return null;
}

function proposal(operator: Operator, genome: Genome, parents: readonly Genome[]): Proposal {
  const first = parents[0];
  return {
    genome,
    operator,
    parents,
    changed: first === undefined ? [] : differingGenes(first, genome),
  };
}

export function proposeGenome(input: SearchInput): Proposal {
  const tried = new Set(
    [...input.history, ...input.pending.map((genome) => ({ genome }))].map((entry) =>
      genomeKey(entry.genome),
    ),
  );
  if (!tried.has(genomeKey(JPEG_LIKE))) return proposal('start', canonical(JPEG_LIKE), []);

  const random = mulberry32(mixSeed(input.seed, tried.size));
  const credit = credits(input.history);
  const best = elites(input);
  const leader = best[0] ?? { genome: canonical(JPEG_LIKE), score: 0 };
  const others = best.slice(1);

  const partners = others.filter((e) => e.score <= leader.score + CROSSOVER_MARGIN);
  if (partners.length > 0 && random() < CROSSOVER_PROBABILITY) {
    const other = pick(random, partners).genome;
    const child = crossover(random, leader.genome, other);
    if (!tried.has(genomeKey(child))) return proposal('crossover', child, [leader.genome, other]);
  }
  const parent =
    others.length === 0 || random() < INCUMBENT_PARENT_PROBABILITY
      ? leader.genome
      : pick(random, others).genome;
  // The chosen parent first, then every other elite, then anything untried.
  const order = [parent, ...[leader, ...others].map((e) => e.genome).filter((g) => g !== parent)];
  for (const candidate of order) {
    const child = mutate(random, candidate, tried, credit);
    if (child !== null) return proposal('mutate', child, [candidate]);
  }
  const wild = explore(random, tried);
  if (wild === null) throw new Error('the offline search found no untried genome');
  return proposal('explore', wild, [leader.genome]);
}
