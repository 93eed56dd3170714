import { describe, expect, it } from 'vitest';

import type { BdComparison } from '../../src/anchors/anchors.js';
import type { ClipResult, RdPointMetrics } from '../../src/evaluation/evaluator.js';
import { chooseScreeningClip } from '../../src/loop/screening-clip.js';
import {
  judgeScreening,
  screeningQualities,
  type ScreeningPlan,
} from '../../src/evaluation/screening.js';
import { parseScreenMargin } from '../../src/cli/early-flags.js';

/** A point of a curve where each doubling of rate buys 10 dB; only rate and PSNR are read. */
function point(quality: number, kbps: number, psnrDb: number): RdPointMetrics {
  const zero = { width: 0, height: 0, fps: 0, frames: 0, total_bytes: 0, bits_per_pixel: 0 };
  return {
    ...(zero as unknown as RdPointMetrics),
    quality,
    bitrate_kbps: kbps,
    psnr_y_db: psnrDb,
  };
}

const RATES = [100, 200, 400, 800, 1600];
const INCUMBENT = RATES.map((kbps) => ({ bitrate_kbps: kbps, psnr_db: 10 * Math.log2(kbps) }));

function plan(marginPct = 15): ScreeningPlan {
  return {
    clip: 'foreman',
    qualities: [0.1, 0.5, 0.9],
    marginPct,
    incumbent: { attemptId: '17', points: INCUMBENT },
    choice: {
      clip: 'foreman',
      rule: 'fallback_first_clip',
      detail: 'none yet',
      samples: 0,
      meanAbsErrorPct: null,
    },
  };
}

/** The candidate needs `factor` times the incumbent's bits for the same PSNR. */
function candidate(factor: number): ClipResult {
  return {
    clip: 'foreman',
    source: '/clips/foreman.y4m',
    width: 160,
    height: 120,
    frames: 4,
    fps: 25,
    points: [
      [0.1, 150],
      [0.5, 400],
      [0.9, 1000],
    ].map(([quality = 0, kbps = 0]) => point(quality, kbps * factor, 10 * Math.log2(kbps))),
  };
}

describe('screeningQualities', () => {
  it('takes the lowest, the middle and the highest quality, whatever the order', () => {
    expect(screeningQualities([0.9, 0.1, 0.5, 0.3, 0.7])).toEqual([0.1, 0.5, 0.9]);
    expect(screeningQualities([0.2, 0.4, 0.6, 0.8])).toEqual([0.2, 0.6, 0.8]);
  });

  it('gives up below three distinct qualities: no screening then', () => {
    expect(screeningQualities([0.5, 0.5, 0.9])).toBeNull();
  });
});

describe('judgeScreening', () => {
  it('screens out a candidate that needs 30 % more bits, above the +15 % margin', () => {
    const record = judgeScreening(plan(), candidate(1.3));
    expect(record.verdict).toBe('screened_out');
    expect(record.bdRatePct).toBeCloseTo(30, 6);
    expect(record.reason).toMatch(/screening clip foreman: BD-rate \+30\.0 %.*margin of \+15 %/);
    expect(record).toMatchObject({ clip: 'foreman', incumbentAttemptId: '17', marginPct: 15 });
  });

  it('lets a candidate within the margin through, and a better one', () => {
    expect(judgeScreening(plan(), candidate(1.1))).toMatchObject({ verdict: 'passed' });
    expect(judgeScreening(plan(), candidate(0.7)).bdRatePct).toBeCloseTo(-30, 6);
    expect(judgeScreening(plan(40), candidate(1.3)).verdict).toBe('passed');
  });

  it('never stops a candidate it cannot compare', () => {
    const flat: ClipResult = {
      ...candidate(1),
      points: candidate(1).points.map((p) => ({ ...p, psnr_y_db: 30 })),
    };
    const record = judgeScreening(plan(), flat);
    expect(record).toMatchObject({ verdict: 'inconclusive', bdRatePct: null });
    expect(record.reason).toMatch(/the full sweep decides/);
  });
});

function comparison(mean: number, perClip: Record<string, number | null>): BdComparison {
  return {
    mean_pct: mean,
    median_pct: mean,
    per_clip: Object.entries(perClip).map(([clip, pct]) => ({ clip, bd_rate_pct: pct })),
  };
}

describe('chooseScreeningClip', () => {
  const clips = ['akiyo', 'foreman', 'mobile'];

  it('falls back to the first dev clip while history is short, and says so', () => {
    const choice = chooseScreeningClip(clips, [comparison(5, { akiyo: 1, foreman: 5, mobile: 9 })]);
    expect(choice).toMatchObject({ clip: 'akiyo', rule: 'fallback_first_clip', samples: 1 });
    expect(choice.detail).toMatch(/fewer than 3/);
  });

  it('picks the clip whose BD-rate tracked the dev mean best', () => {
    const history = [
      comparison(10, { akiyo: 2, foreman: 11, mobile: 17 }),
      comparison(-4, { akiyo: -9, foreman: -3, mobile: 0 }),
      comparison(20, { akiyo: 30, foreman: 18, mobile: 12 }),
    ];
    const choice = chooseScreeningClip(clips, history);
    expect(choice).toMatchObject({ clip: 'foreman', rule: 'best_predictor', samples: 3 });
    expect(choice.meanAbsErrorPct).toBeCloseTo(4 / 3, 9);
  });

  it('ignores comparisons without a mean or without every clip', () => {
    const partial = comparison(10, { akiyo: 10, foreman: null, mobile: 10 });
    const none = { ...comparison(0, { akiyo: 0, foreman: 0, mobile: 0 }), mean_pct: null };
    expect(chooseScreeningClip(clips, [partial, partial, none, none]).samples).toBe(0);
  });

  it('breaks ties by the dev set order', () => {
    const even = comparison(0, { akiyo: 1, foreman: 1, mobile: 1 });
    expect(chooseScreeningClip(clips, [even, even, even]).clip).toBe('akiyo');
  });
});

describe('--screen-margin', () => {
  it('takes 15, +15, 15% and +15 %', () => {
    for (const text of ['15', '+15', '15%', '+15 %']) expect(parseScreenMargin(text)).toBe(15);
    expect(parseScreenMargin('7.5')).toBe(7.5);
  });

  it('refuses a negative or missing number, saying what to pass', () => {
    for (const text of ['-5', 'lots', '']) {
      expect(() => parseScreenMargin(text)).toThrow(/percent ≥ 0 \(e\.g\. 15 or \+15%\)/);
    }
  });
});
