import { describe, expect, it } from 'vitest';

import { bdPsnr, bdRate } from '../../src/evaluation/bd-rate.js';
import { summariseBdRates } from '../../src/evaluation/bd-rate-summary.js';
import type { BdRateResult, RdPoint } from '../../src/evaluation/bd-types.js';
import { integratePchip, pchipSlopes } from '../../src/evaluation/pchip.js';

function curve(rates: readonly number[], psnrs: readonly number[]): RdPoint[] {
  return rates.map((bitrate_kbps, i) => ({ bitrate_kbps, psnr_db: psnrs[i] ?? Number.NaN }));
}

function expectRelative(actual: number, expected: number, tolerance = 1e-6): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

function ok(result: BdRateResult): Extract<BdRateResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected success, got ${result.reason}: ${result.message}`);
  return result;
}

function refusal(result: BdRateResult): Extract<BdRateResult, { ok: false }> {
  if (result.ok) throw new Error(`expected a refusal, got ${result.bd_rate_pct} %`);
  return result;
}

// x264-like pair, from the task brief.
const X264_REF = curve([100, 200, 400, 800], [32.1, 35.0, 37.9, 40.6]);
const X264_TEST = curve([90, 170, 350, 720], [32.3, 35.1, 38.2, 40.9]);
// x265-like: 5 reference points, 6 test points, the test extends beyond the reference at both ends.
const X265_REF = curve([250, 500, 1000, 2000, 4000], [30.2, 33.4, 36.1, 38.5, 40.3]);
const X265_TEST = curve([300, 560, 1100, 2300, 4500, 8000], [31.0, 33.9, 36.8, 39.4, 41.2, 42.5]);
// JPEG-like: the test is worse (positive BD-rate) and wider than the reference.
const JPEG_REF = curve([1500, 2600, 4100, 6900], [29.5, 32.8, 35.6, 38.9]);
const JPEG_TEST = curve([2100, 3500, 5600, 9800, 15000], [29.0, 32.5, 35.9, 38.1, 41.7]);

/*
 * Expected values were computed independently with SciPy 1.17.1 / NumPy 2.4.6 on this machine.
 * BD-rate, for each pair (r1, p1 = reference; r2, p2 = test):
 *
 *   python3 -c 'import numpy as n;from scipy.interpolate import PchipInterpolator as P;
 *     r1=[100,200,400,800];p1=[32.1,35.0,37.9,40.6];r2=[90,170,350,720];p2=[32.3,35.1,38.2,40.9];
 *     lo=max(min(p1),min(p2));hi=min(max(p1),max(p2));f=lambda r,p:P(p,n.log10(r)).integrate(lo,hi);
 *     print(repr((10**((f(r2,p2)-f(r1,p1))/(hi-lo))-1)*100))'
 *
 * BD-PSNR, same pairs:
 *
 *   python3 -c '...;L1=n.log10(r1);L2=n.log10(r2);a=max(L1[0],L2[0]);b=min(L1[-1],L2[-1]);
 *     print(repr((P(L2,p2).integrate(a,b)-P(L1,p1).integrate(a,b))/(b-a)))'
 *
 * Cross-check only (not asserted): the classic VCEG-M33 cubic polyfit BD-rate,
 *   g=lambda r,p:(lambda q:n.polyval(q,hi)-n.polyval(q,lo))(n.polyint(n.polyfit(p,n.log10(r),3)))
 * gives close but different numbers, as expected from a different interpolant:
 *   x264-like -17.34355657468205 (PCHIP -17.34173053627287)
 *   x265-like  -6.810256631240097 (PCHIP -6.6667250890803835)
 *   JPEG-like  41.42181545111654 (PCHIP 42.564032276245634)
 */
const SCIPY = [
  {
    name: 'x264-like',
    ref: X264_REF,
    test: X264_TEST,
    bdRatePct: -17.34173053627287,
    bdPsnrDb: 0.7872884095838814,
    overlapDb: [32.3, 40.6],
    coverage: 0.9764705882352946,
  },
  {
    name: 'x265-like, 5 vs 6 points',
    ref: X265_REF,
    test: X265_TEST,
    bdRatePct: -6.6667250890803835,
    bdPsnrDb: 0.27426408744868847,
    overlapDb: [31.0, 40.3],
    coverage: 0.9207920792079207,
  },
  {
    name: 'JPEG-like, test worse',
    ref: JPEG_REF,
    test: JPEG_TEST,
    bdRatePct: 42.564032276245634,
    bdPsnrDb: -2.042068531386043,
    overlapDb: [29.5, 38.9],
    coverage: 1,
  },
] as const;

describe('bdRate', () => {
  it('is 0 % for identical curves', () => {
    const result = ok(bdRate(X264_REF, X264_REF));
    expect(result.bd_rate_pct).toBe(0);
    expect(result.coverage).toBe(1);
    expect(result.overlap_db).toEqual([32.1, 40.6]);
  });

  it('is exactly (k - 1) * 100 % when every rate is scaled by k at the same PSNRs', () => {
    const scaled = X265_REF.map((p) => ({ ...p, bitrate_kbps: p.bitrate_kbps * 0.8 }));
    expect(ok(bdRate(X265_REF, scaled)).bd_rate_pct).toBeCloseTo(-20, 10);
    expect(ok(bdRate(scaled, X265_REF)).bd_rate_pct).toBeCloseTo(25, 10);
  });

  it.each(SCIPY)('matches scipy PchipInterpolator on the $name pair', (vector) => {
    const result = ok(bdRate(vector.ref, vector.test));
    expectRelative(result.bd_rate_pct, vector.bdRatePct);
    expect(result.overlap_db).toEqual(vector.overlapDb);
    expectRelative(result.coverage, vector.coverage);
    expect(result.hull).toEqual({ reference: { dropped: [] }, test: { dropped: [] } });
  });

  it('does not depend on the order the points are given in', () => {
    const shuffled = [X264_TEST[2], X264_TEST[0], X264_TEST[3], X264_TEST[1]].filter(
      (p): p is RdPoint => p !== undefined,
    );
    expectRelative(ok(bdRate(X264_REF, shuffled)).bd_rate_pct, -17.34173053627287);
  });

  it.each([
    ['lower', 34.9],
    ['equal', 35.1],
  ])('drops a dominated point (%s PSNR), records its index, still scores the rest', (_, psnr) => {
    // Index 2 costs more than index 1 (200 > 170 kbps) for no more PSNR than its 35.1 dB.
    const withDominated = curve([90, 170, 200, 350, 720], [32.3, 35.1, psnr, 38.2, 40.9]);
    const result = ok(bdRate(X264_REF, withDominated));
    expect(result.hull).toEqual({ reference: { dropped: [] }, test: { dropped: [2] } });
    // Without index 2 this is the x264-like test curve, whose scipy value is above.
    expectRelative(result.bd_rate_pct, -17.34173053627287);
  });

  it('keeps the best PSNR of points measured at the same rate', () => {
    const tied = curve([100, 200, 200, 400, 800], [32.1, 34.0, 35.0, 37.9, 40.6]);
    const result = ok(bdRate(tied, X264_TEST));
    expect(result.hull.reference.dropped).toEqual([1]);
    expect(result.bd_rate_pct).toBe(ok(bdRate(X264_REF, X264_TEST)).bd_rate_pct);
  });

  it('refuses a curve of 3 points as too_few_points', () => {
    const result = refusal(bdRate(X264_REF.slice(0, 3), X264_TEST));
    expect(result.reason).toBe('too_few_points');
    expect(result.message).toContain('reference curve has 3 points');
  });

  it('refuses when the hull step leaves fewer than 4 points, recording what it dropped', () => {
    // Indices 1 and 3 are dominated by index 0 and index 2 respectively.
    const bumpy = curve([100, 150, 200, 260, 400], [32.0, 31.5, 35.0, 34.0, 38.0]);
    const result = refusal(bdRate(X264_REF, bumpy));
    expect(result.reason).toBe('too_few_points');
    expect(result.hull).toEqual({ reference: { dropped: [] }, test: { dropped: [1, 3] } });
    expect(result.message).toContain('test curve has 3 usable points of 5');
    expect(result.message).toContain('index 1, 3');
  });

  it('refuses disjoint PSNR ranges as no_overlap', () => {
    const high = curve([1000, 2000, 4000, 8000], [41.0, 43.0, 45.0, 47.0]);
    const result = refusal(bdRate(X264_REF, high));
    expect(result.reason).toBe('no_overlap');
    expect(result.hull).toEqual({ reference: { dropped: [] }, test: { dropped: [] } });
  });

  it('refuses ranges that only touch (under 0.01 dB in common) as no_overlap', () => {
    const touching = curve([1000, 2000, 4000, 8000], [40.595, 43.0, 45.0, 47.0]);
    expect(refusal(bdRate(X264_REF, touching)).reason).toBe('no_overlap');
  });

  it.each([
    ['NaN PSNR', { bitrate_kbps: 300, psnr_db: Number.NaN }],
    ['infinite PSNR', { bitrate_kbps: 300, psnr_db: Number.POSITIVE_INFINITY }],
    ['zero rate', { bitrate_kbps: 0, psnr_db: 36 }],
    ['negative rate', { bitrate_kbps: -300, psnr_db: 36 }],
    ['NaN rate', { bitrate_kbps: Number.NaN, psnr_db: 36 }],
  ])('refuses a %s as invalid_point, naming the curve and index', (_label, bad) => {
    const test = [...X264_TEST.slice(0, 2), bad, ...X264_TEST.slice(2)];
    const result = refusal(bdRate(X264_REF, test));
    expect(result.reason).toBe('invalid_point');
    expect(result.message).toContain('test point 2');
    expect(result.hull).toBeUndefined();
  });

  it("refuses a dominated point as not_monotonic under cleaning 'strict'", () => {
    const withDominated = curve([90, 170, 200, 350, 720], [32.3, 35.1, 34.9, 38.2, 40.9]);
    const result = refusal(bdRate(X264_REF, withDominated, { cleaning: 'strict' }));
    expect(result.reason).toBe('not_monotonic');
    expect(result.hull?.test.dropped).toEqual([2]);
    expect(ok(bdRate(X264_REF, X264_TEST, { cleaning: 'strict' })).bd_rate_pct).toBeLessThan(0);
  });
});

describe('bdPsnr', () => {
  it.each(SCIPY)('matches scipy PchipInterpolator on the $name pair', (vector) => {
    const result = bdPsnr(vector.ref, vector.test);
    if (!result.ok) throw new Error(result.message);
    expectRelative(result.bd_psnr_db, vector.bdPsnrDb);
  });

  it('is exactly the offset when every PSNR is shifted by a constant at the same rates', () => {
    const shifted = X265_REF.map((p) => ({ ...p, psnr_db: p.psnr_db + 0.5 }));
    const result = bdPsnr(X265_REF, shifted);
    if (!result.ok) throw new Error(result.message);
    expect(result.bd_psnr_db).toBeCloseTo(0.5, 10);
    expect(result.overlap_kbps[0]).toBeCloseTo(250, 9);
    expect(result.overlap_kbps[1]).toBeCloseTo(4000, 9);
  });

  it('refuses disjoint bitrate ranges as no_overlap', () => {
    const result = bdPsnr(X264_REF, curve([1000, 2000, 4000, 8000], [32, 35, 38, 41]));
    expect(result.ok ? 'ok' : result.reason).toBe('no_overlap');
  });
});

describe('PCHIP against scipy', () => {
  it('computes scipy’s node derivatives and exact partial integrals, across sign changes', () => {
    // python3 -c 'from scipy.interpolate import PchipInterpolator as P;x=[0,1,2,3.5,4,5];
    //   y=[0,1,0.5,0.5,2,-1];p=P(x,y);print(repr(p.derivative()(x).tolist()), repr(float(p.integrate(0.3,4.7))))'
    const x = [0, 1, 2, 3.5, 4, 5];
    const y = [0, 1, 0.5, 0.5, 2, -1];
    const d = pchipSlopes(x, y);
    expect(d).toEqual([1.75, 0, 0, 0, 0, -7]);
    expectRelative(integratePchip(x, y, d, 0.3, 4.7), 3.808397916666667, 1e-12);
  });

  it('applies scipy’s endpoint clamps (3 * m0, and 0 on a sign flip)', () => {
    // python3 -c 'from scipy.interpolate import PchipInterpolator as P;x=[0,1,2,3];
    //   y=[0,0.1,-5,-5.5];p=P(x,y);print(repr(p.derivative()(x).tolist()), repr(float(p.integrate(0.25,2.5))))'
    const x = [0, 1, 2, 3];
    const y = [0, 0.1, -5, -5.5];
    const d = pchipSlopes(x, y);
    const expected = [0.30000000000000004, 0.0, -0.9107142857142858, 0.0];
    d.forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? Number.NaN, 12));
    expectRelative(integratePchip(x, y, d, 0.25, 2.5), -4.906068638392857, 1e-12);
  });

  it('matches scipy’s derivatives on a real RD curve (log10 rate against PSNR)', () => {
    // python3 -c 'import numpy as n;from scipy.interpolate import PchipInterpolator as P;
    //   p=P([32.1,35.0,37.9,40.6],n.log10([100,200,400,800]));print(repr(p.derivative()([32.1,35.0,37.9,40.6]).tolist()))'
    const expected = [
      0.10380344678068325, 0.10380344678068325, 0.1075564425171179, 0.1151998569431125,
    ];
    const d = pchipSlopes([32.1, 35.0, 37.9, 40.6], [100, 200, 400, 800].map(Math.log10));
    d.forEach((v, i) => expectRelative(v, expected[i] ?? Number.NaN, 1e-12));
  });
});

describe('summariseBdRates', () => {
  const success = (bd_rate_pct: number): BdRateResult => ({
    ok: true,
    bd_rate_pct,
    overlap_db: [30, 40],
    coverage: 1,
    hull: { reference: { dropped: [] }, test: { dropped: [] } },
  });

  it('reports mean and median over all clips when every clip succeeded', () => {
    const summary = summariseBdRates([
      { clip: 'a', result: success(-10) },
      { clip: 'b', result: success(-4) },
      { clip: 'c', result: success(2) },
      { clip: 'd', result: success(-30) },
    ]);
    expect(summary).toMatchObject({
      complete: true,
      clips: 4,
      succeeded: 4,
      mean_bd_rate_pct: -10.5,
      median_bd_rate_pct: -7,
      failures: [],
    });
  });

  it('still reports the mean over the successes, flagged incomplete, when a clip fails', () => {
    const summary = summariseBdRates([
      { clip: 'a', result: success(-10) },
      { clip: 'b', result: bdRate(X264_REF, X264_REF.slice(0, 3)) },
      { clip: 'c', result: success(-20) },
      { clip: 'd', result: bdRate(X264_REF, curve([1e4, 2e4, 4e4, 8e4], [50, 51, 52, 53])) },
      { clip: 'e', result: success(3) },
    ]);
    expect(summary.complete).toBe(false);
    expect(summary.clips).toBe(5);
    expect(summary.succeeded).toBe(3);
    expect(summary.mean_bd_rate_pct).toBeCloseTo(-9, 12);
    expect(summary.median_bd_rate_pct).toBe(-10);
    expect(summary.failure_counts).toEqual({
      too_few_points: 1,
      no_overlap: 1,
      not_monotonic: 0,
      invalid_point: 0,
    });
    expect(summary.failures.map((f) => [f.clip, f.reason])).toEqual([
      ['b', 'too_few_points'],
      ['d', 'no_overlap'],
    ]);
  });

  it('reports no mean, and not complete, when nothing succeeded or there were no clips', () => {
    const none = summariseBdRates([]);
    expect(none).toMatchObject({
      complete: false,
      mean_bd_rate_pct: null,
      median_bd_rate_pct: null,
    });
    const allFailed = summariseBdRates([{ clip: 'a', result: bdRate([], X264_TEST) }]);
    expect(allFailed).toMatchObject({ complete: false, succeeded: 0, mean_bd_rate_pct: null });
  });
});
