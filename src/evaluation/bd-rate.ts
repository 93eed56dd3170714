/**
 * Bjøntegaard deltas (DESIGN.md §3 "Score"): PCHIP in the log-rate domain, exact integrals of the
 * cubic pieces, over the PSNR range both curves share. Pure: no I/O.
 *
 * Curves are cleaned first, and the cleaning is recorded: points dominated by another point of
 * the same curve (no lower rate, no higher PSNR) are dropped, leaving the Pareto frontier — the
 * monotone upper-left hull — which is strictly increasing in both axes, as PCHIP of rate against
 * PSNR requires. Concave-hull pruning is deliberately not done: PCHIP needs only monotonicity,
 * and discarding real, non-dominated measurements would bend the score.
 */

export interface RdPoint {
  readonly bitrate_kbps: number;
  readonly psnr_db: number;
}

export const MIN_POINTS = 4;
/** A common PSNR range narrower than this is no overlap at all. */
export const MIN_OVERLAP_DB = 0.01;
/** BD-PSNR's counterpart of MIN_OVERLAP_DB, in decades of bitrate (≈0.23 % of rate). */
export const MIN_OVERLAP_LOG10_KBPS = 0.001;

export const BD_FAILURE_REASONS = [
  'too_few_points',
  'no_overlap',
  'not_monotonic',
  'invalid_point',
] as const;
export type BdFailureReason = (typeof BD_FAILURE_REASONS)[number];

export interface CurveCleaning {
  /** Indices into the caller's array (not the sorted one), ascending. */
  readonly dropped: readonly number[];
}

export interface BdHull {
  readonly reference: CurveCleaning;
  readonly test: CurveCleaning;
}

export interface BdFailure {
  readonly ok: false;
  readonly reason: BdFailureReason;
  readonly message: string;
  /** Present whenever both curves held only valid points, so cleaning ran. */
  readonly hull?: BdHull;
}

export interface BdRateSuccess {
  readonly ok: true;
  /** Negative: the test curve needs fewer bits for the same PSNR. */
  readonly bd_rate_pct: number;
  /** The common PSNR range integrated over. */
  readonly overlap_db: readonly [number, number];
  /** Fraction of the reference curve's PSNR range inside overlap_db (1 = all of it). */
  readonly coverage: number;
  readonly hull: BdHull;
}

export interface BdPsnrSuccess {
  readonly ok: true;
  /** Positive: the test curve has higher PSNR at the same rate. */
  readonly bd_psnr_db: number;
  /** The common bitrate range integrated over (log10 of it, really). */
  readonly overlap_kbps: readonly [number, number];
  /** Fraction of the reference curve's log-rate range inside overlap_kbps. */
  readonly coverage: number;
  readonly hull: BdHull;
}

export type BdRateResult = BdRateSuccess | BdFailure;
export type BdPsnrResult = BdPsnrSuccess | BdFailure;

export interface BdOptions {
  /**
   * `prune` (default) drops dominated points and records them in `hull`; `strict` refuses with
   * `not_monotonic` instead, for callers that want to see a non-monotonic curve as a failure.
   */
  readonly cleaning?: 'prune' | 'strict';
  /**
   * Points each curve needs (default MIN_POINTS). The screening stage compares three measured
   * points with the incumbent's full curve: an estimate, not a score.
   */
  readonly minPoints?: number;
}

export function bdRate(
  reference: readonly RdPoint[],
  test: readonly RdPoint[],
  options: BdOptions = {},
): BdRateResult {
  const prepared = prepare(reference, test, options);
  if (!prepared.ok) return prepared;
  const { ref, tst, hull } = prepared;
  const delta = meanDelta(ref.psnr, ref.logRate, tst.psnr, tst.logRate, MIN_OVERLAP_DB);
  if (!delta.ok) {
    const span = (c: Cleaned): string => `[${fmt(first(c.psnr))}, ${fmt(last(c.psnr))}] dB`;
    return noOverlap(
      `PSNR ranges share ${fmt(Math.max(0, delta.width))} dB (< ${MIN_OVERLAP_DB} dB): reference ` +
        `${span(ref)}, test ${span(tst)}; choose quality points so both curves cover a common PSNR range`,
      hull,
    );
  }
  return {
    ok: true,
    bd_rate_pct: (10 ** delta.mean - 1) * 100,
    overlap_db: [delta.lo, delta.hi],
    coverage: delta.coverage,
    hull,
  };
}

/** Delta PSNR at equal rate: the same machinery with the axes swapped. */
export function bdPsnr(
  reference: readonly RdPoint[],
  test: readonly RdPoint[],
  options: BdOptions = {},
): BdPsnrResult {
  const prepared = prepare(reference, test, options);
  if (!prepared.ok) return prepared;
  const { ref, tst, hull } = prepared;
  const delta = meanDelta(ref.logRate, ref.psnr, tst.logRate, tst.psnr, MIN_OVERLAP_LOG10_KBPS);
  if (!delta.ok) {
    const span = (c: Cleaned): string =>
      `[${fmt(10 ** first(c.logRate))}, ${fmt(10 ** last(c.logRate))}] kbps`;
    return noOverlap(
      `bitrate ranges share ${fmt(Math.max(0, delta.width))} decades (< ${MIN_OVERLAP_LOG10_KBPS}): ` +
        `reference ${span(ref)}, test ${span(tst)}; choose quality points so both curves cover a common bitrate range`,
      hull,
    );
  }
  return {
    ok: true,
    bd_psnr_db: delta.mean,
    overlap_kbps: [10 ** delta.lo, 10 ** delta.hi],
    coverage: delta.coverage,
    hull,
  };
}

export interface BdRateSummary {
  /** True only when there was at least one clip and every clip succeeded. */
  readonly complete: boolean;
  readonly clips: number;
  readonly succeeded: number;
  /** Over the clips that succeeded; null when none did. */
  readonly mean_bd_rate_pct: number | null;
  readonly median_bd_rate_pct: number | null;
  readonly failure_counts: Readonly<Record<BdFailureReason, number>>;
  readonly failures: ReadonlyArray<{
    readonly clip: string;
    readonly reason: BdFailureReason;
    readonly message: string;
  }>;
}

export function summariseBdRates(
  perClip: ReadonlyArray<{ readonly clip: string; readonly result: BdRateResult }>,
): BdRateSummary {
  const values: number[] = [];
  const failures: Array<{ clip: string; reason: BdFailureReason; message: string }> = [];
  const failure_counts: Record<BdFailureReason, number> = {
    too_few_points: 0,
    no_overlap: 0,
    not_monotonic: 0,
    invalid_point: 0,
  };
  for (const { clip, result } of perClip) {
    if (result.ok) {
      values.push(result.bd_rate_pct);
    } else {
      failures.push({ clip, reason: result.reason, message: result.message });
      failure_counts[result.reason] += 1;
    }
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length === 0
      ? null
      : sorted.length % 2 === 1
        ? at(sorted, mid)
        : (at(sorted, mid - 1) + at(sorted, mid)) / 2;
  return {
    complete: perClip.length > 0 && failures.length === 0,
    clips: perClip.length,
    succeeded: values.length,
    mean_bd_rate_pct:
      values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length,
    median_bd_rate_pct: median,
    failure_counts,
    failures,
  };
}

// --- cleaning -----------------------------------------------------------------------------

interface Cleaned {
  /** Strictly increasing, both of them, same length. */
  readonly logRate: readonly number[];
  readonly psnr: readonly number[];
  readonly dropped: readonly number[];
}

type CurveName = 'reference' | 'test';

function prepare(
  reference: readonly RdPoint[],
  test: readonly RdPoint[],
  options: BdOptions,
): { ok: true; ref: Cleaned; tst: Cleaned; hull: BdHull } | BdFailure {
  const curves: ReadonlyArray<readonly [CurveName, readonly RdPoint[]]> = [
    ['reference', reference],
    ['test', test],
  ];
  for (const [name, curve] of curves) {
    const invalid = findInvalid(name, curve);
    if (invalid !== undefined) return { ok: false, reason: 'invalid_point', message: invalid };
  }
  const ref = clean(reference);
  const tst = clean(test);
  const hull: BdHull = { reference: { dropped: ref.dropped }, test: { dropped: tst.dropped } };
  const cleaned: ReadonlyArray<readonly [CurveName, readonly RdPoint[], Cleaned]> = [
    ['reference', reference, ref],
    ['test', test, tst],
  ];
  const minPoints = Math.max(2, options.minPoints ?? MIN_POINTS);
  for (const [name, curve] of cleaned) {
    if (curve.length < minPoints) {
      return fail(
        'too_few_points',
        `${name} curve has ${curve.length} points; BD needs at least ${minPoints}: add quality points to the sweep`,
        hull,
      );
    }
  }
  for (const [name, , c] of cleaned) {
    if (options.cleaning === 'strict' && c.dropped.length > 0) {
      return fail(
        'not_monotonic',
        `${name} curve is not strictly increasing in both rate and PSNR: ${describeDropped(c)}; ` +
          `re-measure those points, or use cleaning 'prune' to drop them on the record`,
        hull,
      );
    }
  }
  for (const [name, curve, c] of cleaned) {
    if (c.psnr.length < minPoints) {
      return fail(
        'too_few_points',
        `${name} curve has ${c.psnr.length} usable points of ${curve.length} after cleaning ` +
          `(${describeDropped(c)}); BD needs at least ${minPoints} strictly increasing points: ` +
          `add quality points, or fix rate control so higher quality settings give higher PSNR`,
        hull,
      );
    }
  }
  return { ok: true, ref, tst, hull };
}

function findInvalid(name: CurveName, curve: readonly RdPoint[]): string | undefined {
  for (const [i, p] of curve.entries()) {
    if (!Number.isFinite(p.bitrate_kbps) || p.bitrate_kbps <= 0) {
      return `${name} point ${i} has bitrate_kbps = ${p.bitrate_kbps}; rates must be finite and > 0: check the byte count for that quality point`;
    }
    if (!Number.isFinite(p.psnr_db)) {
      return `${name} point ${i} has psnr_db = ${p.psnr_db}; PSNR must be finite (metrics cap it at 100 dB): check the metrics for that quality point`;
    }
  }
  return undefined;
}

/** Keeps the Pareto frontier: by rate ascending (PSNR descending on ties), a point survives only
 * if its PSNR beats every point before it. Equal rates keep the best PSNR; exact duplicates keep
 * the first. */
function clean(curve: readonly RdPoint[]): Cleaned {
  const order = curve
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.bitrate_kbps - b.p.bitrate_kbps || b.p.psnr_db - a.p.psnr_db || a.i - b.i);
  const logRate: number[] = [];
  const psnr: number[] = [];
  const dropped: number[] = [];
  for (const { p, i } of order) {
    if (psnr.length === 0 || p.psnr_db > last(psnr)) {
      logRate.push(Math.log10(p.bitrate_kbps));
      psnr.push(p.psnr_db);
    } else {
      dropped.push(i);
    }
  }
  dropped.sort((a, b) => a - b);
  return { logRate, psnr, dropped };
}

function describeDropped(c: Cleaned): string {
  if (c.dropped.length === 0) return 'no point dropped';
  return (
    `dropped ${c.dropped.length} dominated point(s) at index ${c.dropped.join(', ')}: ` +
    `each has no higher PSNR than a point at lower or equal rate`
  );
}

// --- PCHIP ------------------------------------------------------------------------------

type Delta =
  | { ok: true; lo: number; hi: number; mean: number; coverage: number }
  | { ok: false; width: number };

/** Mean of (test − reference) of y(x) over the common x range, both by PCHIP. */
function meanDelta(
  refX: readonly number[],
  refY: readonly number[],
  testX: readonly number[],
  testY: readonly number[],
  minWidth: number,
): Delta {
  const lo = Math.max(first(refX), first(testX));
  const hi = Math.min(last(refX), last(testX));
  if (!(hi - lo >= minWidth)) return { ok: false, width: hi - lo };
  const integral = (x: readonly number[], y: readonly number[]): number =>
    integratePchip(x, y, pchipSlopes(x, y), lo, hi);
  return {
    ok: true,
    lo,
    hi,
    mean: (integral(testX, testY) - integral(refX, refY)) / (hi - lo),
    coverage: (hi - lo) / (last(refX) - first(refX)),
  };
}

/** Node derivatives exactly as scipy.interpolate.PchipInterpolator computes them (Fritsch–Carlson
 * weighted harmonic mean inside, the shape-preserving three-point formula at the ends). */
export function pchipSlopes(x: readonly number[], y: readonly number[]): number[] {
  const n = x.length;
  const h: number[] = [];
  const m: number[] = [];
  for (let k = 0; k < n - 1; k++) {
    h.push(at(x, k + 1) - at(x, k));
    m.push((at(y, k + 1) - at(y, k)) / at(h, k));
  }
  if (n === 2) return [at(m, 0), at(m, 0)];
  const d: number[] = [edgeSlope(at(h, 0), at(h, 1), at(m, 0), at(m, 1))];
  for (let k = 1; k < n - 1; k++) {
    const m0 = at(m, k - 1);
    const m1 = at(m, k);
    if (Math.sign(m0) !== Math.sign(m1) || m0 === 0 || m1 === 0) {
      d.push(0);
    } else {
      const w1 = 2 * at(h, k) + at(h, k - 1);
      const w2 = at(h, k) + 2 * at(h, k - 1);
      d.push((w1 + w2) / (w1 / m0 + w2 / m1));
    }
  }
  d.push(edgeSlope(at(h, n - 2), at(h, n - 3), at(m, n - 2), at(m, n - 3)));
  return d;
}

function edgeSlope(h0: number, h1: number, m0: number, m1: number): number {
  const d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
  if (Math.sign(d) !== Math.sign(m0)) return 0;
  if (Math.sign(m0) !== Math.sign(m1) && Math.abs(d) > 3 * Math.abs(m0)) return 3 * m0;
  return d;
}

/** Exact integral over [lo, hi] (inside [x0, xn]) of the cubic Hermite pieces. */
export function integratePchip(
  x: readonly number[],
  y: readonly number[],
  d: readonly number[],
  lo: number,
  hi: number,
): number {
  let total = 0;
  for (let k = 0; k < x.length - 1; k++) {
    const x0 = at(x, k);
    const a = Math.max(lo, x0);
    const b = Math.min(hi, at(x, k + 1));
    if (b <= a) continue;
    const h = at(x, k + 1) - x0;
    const y0 = at(y, k);
    const d0 = at(d, k);
    const d1 = at(d, k + 1);
    const slope = (at(y, k + 1) - y0) / h;
    const c2 = (3 * slope - 2 * d0 - d1) / h;
    const c3 = (d0 + d1 - 2 * slope) / (h * h);
    const antiderivative = (s: number): number =>
      s * (y0 + s * (d0 / 2 + s * (c2 / 3 + (s * c3) / 4)));
    total += antiderivative(b - x0) - antiderivative(a - x0);
  }
  return total;
}

// --- helpers --------------------------------------------------------------------------

function fail(reason: BdFailureReason, message: string, hull: BdHull): BdFailure {
  return { ok: false, reason, message, hull };
}

function noOverlap(message: string, hull: BdHull): BdFailure {
  return fail('no_overlap', message, hull);
}

function at(values: readonly number[], i: number): number {
  const v = values[i];
  if (v === undefined) throw new RangeError(`index ${i} outside an array of ${values.length}`);
  return v;
}

function first(values: readonly number[]): number {
  return at(values, 0);
}

function last(values: readonly number[]): number {
  return at(values, values.length - 1);
}

function fmt(value: number): string {
  return value.toFixed(3);
}
