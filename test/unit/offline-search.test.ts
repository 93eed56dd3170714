import { describe, expect, it } from 'vitest';
import type { AttemptSummary, GenerationContext } from '../../src/generators/generator.js';
import { credits, valueScore } from '../../src/generators/offline/credit.js';
import {
  canonical,
  GENE_DOMAINS,
  GENE_NAMES,
  genomeKey,
  isGenome,
  JPEG_LIKE,
  type GeneName,
  type Genome,
} from '../../src/generators/offline/genome.js';
import { OFFLINE_MODEL, OfflineGenerator } from '../../src/generators/offline/offline-generator.js';
import { proposeGenome, type SearchRecord } from '../../src/generators/offline/search.js';
import { mulberry32 } from '../../src/random.js';

/**
 * A stand-in for measurement: BD-rate vs JPEG as a sum of per-gene effects (roughly the real
 * ones' signs) plus a pseudo-random interaction term. The search never sees this function, only
 * the numbers it returns for genomes it proposed.
 */
function syntheticBdRate(genome: Genome): number | null {
  const g = canonical(genome);
  if (g.transform === 'none' && g.entropy === 'varint') return null; // "fails"
  let bd = 150;
  bd += {
    varint: 60,
    rle: 0,
    rle_deflate: -60,
    png_freq: -50,
    png_block: -40,
    webp_freq: -70,
    arith: -110,
  }[g.entropy];
  bd += { flat: -20, mild: -15, jpeg: 0 }[g.qtable];
  bd += g.prediction === 'inter' ? -40 : 0;
  bd +=
    g.prediction === 'inter' ? { zero: 0, global: -10, block16: -25, block8: -28 }[g.motion] : 0;
  bd += g.subpel === 'half' ? -3 : g.subpel === 'quarter' ? -4 : 0;
  bd += g.deblock === 'on' ? -1 : 0;
  bd += g.transform === 'none' ? 80 : 0;
  bd += g.colour === 'bgr' ? 30 : 0;
  const key = genomeKey(g);
  let hash = 7;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
  return bd + (hash % 100) / 50;
}

interface Run {
  readonly keys: string[];
  readonly scores: Array<number | null>;
  readonly adopted: string[];
}

/** Drives the generator like the loop does: recent window of 10, incumbent and parent. */
async function drive(seed: number, iterations: number): Promise<Run> {
  const generator = new OfflineGenerator({ seed });
  const history: AttemptSummary[] = [];
  let incumbent: AttemptSummary | null = null;
  const run: Run = { keys: [], scores: [], adopted: [] };
  for (let iteration = 1; iteration <= iterations; iteration++) {
    const context: GenerationContext = {
      iteration,
      incumbent,
      parent: incumbent,
      recent: history.slice(-10),
      prompt: { system: '', user: '' },
    };
    const generation = await generator.generate(context);
    if (!generation.ok) throw new Error('the offline generator must always produce code');
    const origin = JSON.parse(/^# origin: (\{.*\})$/m.exec(generation.code)?.[1] ?? '{}') as {
      genome: Genome;
    };
    const bd = syntheticBdRate(origin.genome);
    const incumbentBd = incumbent?.bdRateVsJpegPct ?? null;
    const adopted = bd !== null && (incumbentBd === null || bd < incumbentBd - 1);
    const summary: AttemptSummary = {
      attemptId: `a${iteration}`,
      code: generation.code,
      origin,
      ok: bd !== null,
      stage: bd === null ? 'smoke' : 'done',
      bdRateVsIncumbentPct: null,
      bdRateVsJpegPct: bd,
      adopted,
    };
    history.push(summary);
    if (adopted) {
      incumbent = summary;
      run.adopted.push(genomeKey(origin.genome));
    }
    run.keys.push(genomeKey(origin.genome));
    run.scores.push(bd);
  }
  return run;
}

describe('the offline search', () => {
  it('starts from the JPEG-like intra codec', () => {
    const proposal = proposeGenome({ seed: 1, history: [], incumbent: null, pending: [] });
    expect(proposal.genome).toEqual(canonical(JPEG_LIKE));
    expect(proposal.operator).toBe('start');
  });

  it('gives the same sequence for the same seed and the same results', async () => {
    const first = await drive(3, 30);
    const second = await drive(3, 30);
    expect(second.keys).toEqual(first.keys);
    const other = await drive(4, 30);
    expect(other.keys).not.toEqual(first.keys);
  });

  it('never proposes a genome twice, though the loop shows only the last 10 attempts', async () => {
    const run = await drive(5, 80);
    expect(new Set(run.keys).size).toBe(run.keys.length);
  });

  it('proposes only genomes inside the gene domains, in canonical form', () => {
    const random = mulberry32(11);
    const history: SearchRecord[] = [];
    for (let i = 0; i < 60; i++) {
      const { genome } = proposeGenome({ seed: 2, history, incumbent: null, pending: [] });
      expect(isGenome(genome)).toBe(true);
      expect(canonical(genome)).toEqual(genome);
      for (const name of GENE_NAMES) {
        expect(GENE_DOMAINS[name] as readonly unknown[]).toContain(genome[name]);
      }
      history.push({ genome, ok: true, bdRateVsJpegPct: random() * 100, adopted: false });
    }
  });

  it('mutates one or two genes of a good parent', () => {
    const parent: Genome = { ...JPEG_LIKE, entropy: 'arith' };
    const history: SearchRecord[] = [
      { genome: JPEG_LIKE, ok: true, bdRateVsJpegPct: 150, adopted: true },
      { genome: parent, ok: true, bdRateVsJpegPct: 40, adopted: true },
    ];
    // Genes a change elsewhere can reset through the canonical form (e.g. BGR has no chroma).
    const follows: Partial<Record<string, readonly string[]>> = {
      chroma: ['colour'],
      chromaQ: ['colour'],
      qtable: ['transform'],
      keyint: ['prediction'],
      keyStep: ['prediction'],
      motion: ['prediction'],
      subpel: ['prediction', 'motion'],
    };
    let mutations = 0;
    for (let seed = 0; seed < 40; seed++) {
      const proposal = proposeGenome({ seed, history, incumbent: parent, pending: [] });
      if (proposal.operator !== 'mutate') continue;
      mutations += 1;
      const changed = proposal.changed;
      const chosen = changed.filter(
        (name) => !(follows[name] ?? []).some((cause) => changed.includes(cause as GeneName)),
      );
      expect(chosen.length).toBeGreaterThanOrEqual(1);
      expect(chosen.length).toBeLessThanOrEqual(2);
      expect([genomeKey(parent), genomeKey(JPEG_LIKE)]).toContain(
        genomeKey(proposal.parents[0] as Genome),
      );
    }
    expect(mutations).toBeGreaterThan(20);
  });

  it('makes progress from measurements alone', async () => {
    const run = await drive(1, 40);
    const start = run.scores[0] as number;
    const best = Math.min(...run.scores.filter((s): s is number => s !== null));
    expect(run.adopted.length).toBeGreaterThanOrEqual(3);
    expect(best).toBeLessThan(start - 100);
  });

  it('prefers values whose changes came with improvements', () => {
    const history: SearchRecord[] = [
      { genome: JPEG_LIKE, ok: true, bdRateVsJpegPct: 100, adopted: true },
      { genome: { ...JPEG_LIKE, entropy: 'arith' }, ok: true, bdRateVsJpegPct: 60, adopted: true },
      {
        genome: { ...JPEG_LIKE, entropy: 'varint' },
        ok: true,
        bdRateVsJpegPct: 130,
        adopted: false,
      },
      {
        genome: { ...JPEG_LIKE, transform: 'none' },
        ok: false,
        bdRateVsJpegPct: null,
        adopted: false,
      },
    ];
    const credit = credits(history);
    expect(valueScore(credit, 'entropy', 'arith')).toBeGreaterThan(
      valueScore(credit, 'entropy', 'varint'),
    );
    expect(valueScore(credit, 'transform', 'none')).toBeLessThan(
      valueScore(credit, 'transform', 'dct4'),
    );
  });
});

describe('OfflineGenerator', () => {
  it('answers with rendered code, its genome as origin, and no usage', async () => {
    const generator = new OfflineGenerator({ seed: 9 });
    expect(generator.name).toBe('offline');
    const generation = await generator.generate({
      iteration: 1,
      incumbent: null,
      parent: null,
      recent: [],
      prompt: { system: '', user: '' },
    });
    if (!generation.ok) throw new Error('expected code');
    expect(generation.model).toBe(OFFLINE_MODEL);
    expect(generation.usage.costUsd).toBe(0);
    expect(generation.usage.inputTokens).toBe(0);
    expect(isGenome(generation.origin?.genome)).toBe(true);
    expect(generation.code).toContain('def compress_video_frame(frame, config):');
    expect(generation.raw).toBe(generation.code);
  });

  it('ignores attempts that are not its own (no genome in their origin)', async () => {
    const foreign: AttemptSummary = {
      attemptId: 'llm-1',
      code: 'def compress_video_frame(frame, config): ...',
      ok: true,
      stage: 'done',
      bdRateVsJpegPct: -50,
      adopted: true,
    };
    const generation = await new OfflineGenerator({ seed: 1 }).generate({
      iteration: 2,
      incumbent: foreign,
      parent: foreign,
      recent: [foreign],
      prompt: { system: '', user: '' },
    });
    expect(generation.ok && generation.origin?.operator).toBe('start');
  });
});
