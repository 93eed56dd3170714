/**
 * Credit assignment for the offline search: which gene values came with improvements. Each
 * measured attempt is compared with its nearest earlier relative (fewest differing genes); the
 * change in BD-rate vs JPEG is shared among the genes that differ. Pure.
 */
import { canonical, GENE_NAMES, type GeneName, type Genome } from './genome.js';

/** One attempt as the search sees it. */
export interface SearchRecord {
  readonly genome: Genome;
  readonly ok: boolean;
  /** Mean dev-set BD-rate against per-frame JPEG (percent, lower is better), when measured. */
  readonly bdRateVsJpegPct: number | null;
  readonly adopted: boolean;
}

/** Lower is better; failures and unmeasured attempts are +Infinity. */
export function fitness(record: SearchRecord): number {
  return record.ok && record.bdRateVsJpegPct !== null && Number.isFinite(record.bdRateVsJpegPct)
    ? record.bdRateVsJpegPct
    : Number.POSITIVE_INFINITY;
}

interface Tally {
  sum: number;
  count: number;
}

/** Per `gene=value`, the improvements (BD-rate points, positive = better) it came with. */
export type Credits = ReadonlyMap<string, Readonly<Tally>>;

/** A change is credited at most this many BD-rate points either way (one wild codec ≠ a trend). */
const MAX_CREDIT = 30;
/** What a failing attempt costs the values it introduced. */
const FAILURE_CREDIT = -20;
/** Credit given to the value a change moved away from, relative to the new value's. */
const REVERSE_SHARE = 0.5;
/** Optimism for values seldom tried, in BD-rate points, shrinking with 1/sqrt(1 + count). */
const EXPLORATION_BONUS = 3;
/**
 * Weight of a gene's record: the mean improvement its changes brought (failures count as zero).
 * A gene whose change paid off once is worth trying again with its other values.
 */
const GENE_WEIGHT = 0.3;

const slot = (gene: GeneName, value: unknown): string => `${gene}=${String(value)}`;
const geneSlot = (gene: GeneName): string => `${gene}=*`;

function distance(a: Genome, b: Genome): number {
  return GENE_NAMES.reduce((n, name) => n + (a[name] === b[name] ? 0 : 1), 0);
}

export function credits(history: readonly SearchRecord[]): Credits {
  const tally = new Map<string, Tally>();
  const add = (key: string, amount: number): void => {
    const entry = tally.get(key) ?? { sum: 0, count: 0 };
    entry.sum += amount;
    entry.count += 1;
    tally.set(key, entry);
  };
  const measured: Array<{ genome: Genome; score: number }> = [];
  for (const record of history) {
    const genome = canonical(record.genome);
    const score = fitness(record);
    let reference: { genome: Genome; score: number } | undefined;
    let nearest = Number.POSITIVE_INFINITY;
    for (const earlier of measured) {
      const d = distance(genome, earlier.genome);
      if (d > 0 && (d < nearest || (d === nearest && earlier.score < (reference?.score ?? 0)))) {
        reference = earlier;
        nearest = d;
      }
    }
    if (reference !== undefined) {
      const gain = Number.isFinite(score)
        ? Math.max(-MAX_CREDIT, Math.min(MAX_CREDIT, reference.score - score))
        : FAILURE_CREDIT;
      const changed = GENE_NAMES.filter((name) => genome[name] !== reference.genome[name]);
      for (const name of changed) {
        add(slot(name, genome[name]), gain / changed.length);
        add(slot(name, reference.genome[name]), (-REVERSE_SHARE * gain) / changed.length);
        add(geneSlot(name), Math.max(0, gain) / changed.length);
      }
    }
    if (Number.isFinite(score)) measured.push({ genome, score });
  }
  return tally;
}

/**
 * How much the search wants to try `gene=value` next: the value's mean credit, the gene's
 * record of improvements, and optimism for what was seldom tried.
 */
export function valueScore(credit: Credits, gene: GeneName, value: unknown): number {
  const entry = credit.get(slot(gene, value));
  const count = entry?.count ?? 0;
  const mean = entry === undefined ? 0 : entry.sum / (count + 1);
  const record = credit.get(geneSlot(gene));
  const geneMean = record === undefined ? 0 : record.sum / record.count;
  return mean + GENE_WEIGHT * geneMean + EXPLORATION_BONUS / Math.sqrt(1 + count);
}
