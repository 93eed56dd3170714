import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ADOPTION_POLICY,
  decideAdoption,
  requiredBdRate,
  type AdoptionInput,
  type PerClipBdRate,
  type QualityFacts,
} from '../../src/evaluation/adoption.js';
import type { BdRateResult } from '../../src/evaluation/bd-types.js';
import type { WorstBlockFacts } from '../../src/evaluation/worst-block.js';

const ok = (bd: number): BdRateResult => ({
  ok: true,
  bd_rate_pct: bd,
  overlap_db: [30, 40],
  coverage: 1,
  hull: { reference: { dropped: [] }, test: { dropped: [] } },
});
const refused: BdRateResult = { ok: false, reason: 'no_overlap', message: 'curves do not overlap' };
const clips = (...values: Array<number | BdRateResult>): PerClipBdRate[] =>
  values.map((value, index) => ({
    clip: `c${index}`,
    result: typeof value === 'number' ? ok(value) : value,
  }));

/** The worst block of a JPEG-like codec: 7 dB below its point (floor min(30, 34 − 15) = 19). */
const honestBlock: WorstBlockFacts = {
  clip: 'tree',
  quality: 0.1,
  frame: 2,
  x: 48,
  y: 16,
  psnr_y_db: 27,
  point_psnr_y_db: 34,
  floor_db: 19,
};
const good: QualityFacts = {
  worstFramePsnrDb: 28,
  minTopPsnrDb: 38,
  secondsPerFrame: 0.01,
  worstBlock: honestBlock,
};

function input(overrides: Partial<AdoptionInput>): AdoptionInput {
  return {
    dev: clips(-5, -4, -3),
    holdout: clips(-2, -1),
    candidate: good,
    incumbent: good,
    ...overrides,
  };
}

describe('decideAdoption', () => {
  it('adopts a candidate that wins on most dev clips and on the holdout', () => {
    const decision = decideAdoption(input({}));
    expect(decision.adopt).toBe(true);
    expect(decision.meanDevBdRatePct).toBeCloseTo(-4, 10);
    expect(decision.summary).toMatch(/^adopted: /);
  });

  it('refuses a codec that halves the bits while quality collapses, and says why', () => {
    const collapse: QualityFacts = {
      worstFramePsnrDb: 14.2,
      minTopPsnrDb: 24.9,
      secondsPerFrame: 0.01,
      worstBlock: honestBlock,
    };
    const decision = decideAdoption(
      input({ dev: clips(-50, -50, -50), holdout: clips(-50), candidate: collapse }),
    );
    expect(decision.adopt).toBe(false);
    expect(decision.summary).toContain('worst frame 14.20 dB (floor 20 dB)');
    expect(decision.checks.find((check) => check.name === 'top_quality')?.passed).toBe(false);
  });

  it('needs the margin, not just any gain', () => {
    const decision = decideAdoption(input({ dev: clips(-0.5, -0.6, -0.4) }));
    expect(decision.adopt).toBe(false);
    expect(decision.summary).toContain('needs ≤ -1.00 %');
  });

  it('needs two thirds of the dev clips to improve', () => {
    const decision = decideAdoption(input({ dev: clips(-20, 1, 2) }));
    expect(decision.meanDevBdRatePct).toBeCloseTo(-17 / 3, 10);
    expect(decision.adopt).toBe(false);
    expect(decision.checks.find((check) => check.name === 'dev_majority')).toMatchObject({
      passed: false,
      detail: '1 of 3 dev clips improve (needs 67 %)',
    });
    expect(decideAdoption(input({ dev: clips(-20, -1, 2) })).adopt).toBe(true);
  });

  it('refuses when the holdout disagrees in sign or was not run', () => {
    expect(decideAdoption(input({ holdout: clips(3, 1) })).summary).toContain(
      'mean holdout BD-rate vs the incumbent +2.00 %',
    );
    expect(decideAdoption(input({ holdout: null })).summary).toContain(
      'holdout confirmation was not run',
    );
  });

  it('treats a BD-rate that cannot be computed as a failure, not as unknown', () => {
    const decision = decideAdoption(input({ dev: clips(-5, refused, -5) }));
    expect(decision.adopt).toBe(false);
    expect(decision.summary).toContain('c1: curves do not overlap');
    expect(decideAdoption(input({ holdout: clips(-3, refused) })).adopt).toBe(false);
  });

  it('asks a much slower codec to win by more', () => {
    const slow: QualityFacts = { ...good, secondsPerFrame: 0.08 }; // 8x slower: 3 doublings
    expect(requiredBdRate(DEFAULT_ADOPTION_POLICY, slow, good)).toBeCloseTo(-7, 10);
    expect(requiredBdRate(DEFAULT_ADOPTION_POLICY, good, slow)).toBe(-1);
    const decision = decideAdoption(input({ candidate: slow, dev: clips(-5, -5, -5) }));
    expect(decision.adopt).toBe(false);
    expect(decision.requiredBdRatePct).toBeCloseTo(-7, 10);
    expect(decision.checks.find((check) => check.name === 'speed')?.detail).toContain(
      '8.0x slower',
    );
    expect(decideAdoption(input({ candidate: slow, dev: clips(-8, -8, -8) })).adopt).toBe(true);
  });

  it('adopts the first working codec on the floors alone', () => {
    const decision = decideAdoption({ dev: null, holdout: null, candidate: good, incumbent: null });
    expect(decision.adopt).toBe(true);
    expect(decision.requiredBdRatePct).toBeNull();
    const broken = decideAdoption({
      dev: null,
      holdout: null,
      candidate: { ...good, minTopPsnrDb: 29.9 },
      incumbent: null,
    });
    expect(broken.adopt).toBe(false);
  });

  it('honours a custom policy', () => {
    const strict = { ...DEFAULT_ADOPTION_POLICY, maxMeanBdRatePct: -10 };
    expect(decideAdoption(input({}), strict).adopt).toBe(false);
    expect(decideAdoption(input({ dev: clips(-11, -12, -13) }), strict).adopt).toBe(true);
  });
});
