/**
 * OfflineGenerator: the embedded default when no API key is configured. A seeded program search
 * (search.ts) over codec building blocks (genome.ts), rendered to real Python (render.ts). No
 * network, no cost. It learns only from the results the loop reports back.
 */
import {
  NO_USAGE,
  type AttemptSummary,
  type CodeGenerator,
  type Generation,
  type GenerationContext,
  type GeneratorCapabilities,
} from '../generator.js';
import { genomeFromOrigin, genomeKey, type Genome } from './genome.js';
import { render } from './render.js';
import { proposeGenome, type SearchRecord } from './search.js';

export const OFFLINE_MODEL = 'offline-search-v1';

export interface OfflineGeneratorOptions {
  /** Seeds the search's PRNG: the same seed and the same results give the same proposals. */
  readonly seed?: number | undefined;
}

/** What the search needs from an attempt, or null when it is not one of ours. */
export function searchRecord(attempt: AttemptSummary): SearchRecord | null {
  const genome = genomeFromOrigin(attempt.origin);
  if (genome === null) return null;
  return {
    genome,
    ok: attempt.ok,
    bdRateVsJpegPct: attempt.bdRateVsJpegPct ?? null,
    adopted: attempt.adopted,
  };
}

export class OfflineGenerator implements CodeGenerator {
  readonly name = 'offline';
  /** The search reads the archive of results, not the prompt nor the parent. */
  readonly capabilities: GeneratorCapabilities = { usesPrompt: false, repairsParent: false };
  private readonly seed: number;
  /**
   * Every attempt seen in any context, by id, in first-seen order: the loop shows only recent
   * attempts, and the search must never repeat an older one.
   */
  private readonly archive = new Map<string, SearchRecord>();
  /** Genomes proposed by this instance, by key (their results may not be known yet). */
  private readonly proposed = new Map<string, Genome>();

  constructor(options: OfflineGeneratorOptions = {}) {
    this.seed = options.seed ?? 1;
  }

  generate(context: GenerationContext): Promise<Generation> {
    for (const attempt of [...context.recent, context.parent, context.incumbent]) {
      if (attempt === null) continue;
      const record = searchRecord(attempt);
      // Later contexts may know more (e.g. that an attempt was adopted): the newest wins.
      if (record !== null) this.archive.set(attempt.attemptId, record);
    }
    const history = [...this.archive.values()];
    const known = new Set(history.map((record) => genomeKey(record.genome)));
    const incumbent =
      context.incumbent === null ? null : genomeFromOrigin(context.incumbent.origin);
    const proposal = proposeGenome({
      seed: this.seed,
      history,
      incumbent,
      pending: [...this.proposed.entries()].filter(([key]) => !known.has(key)).map(([, g]) => g),
    });
    this.proposed.set(genomeKey(proposal.genome), proposal.genome);
    const code = render(proposal.genome);
    return Promise.resolve({
      ok: true,
      code,
      raw: code,
      model: OFFLINE_MODEL,
      usage: NO_USAGE,
      origin: {
        genome: proposal.genome,
        operator: proposal.operator,
        parents: proposal.parents,
        changed: proposal.changed,
      },
    });
  }
}
