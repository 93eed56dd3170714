/** The vocabulary of Bjøntegaard deltas (bd-rate.ts): curves, results, failure reasons. */

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

export function bdFailure(reason: BdFailureReason, message: string, hull: BdHull): BdFailure {
  return { ok: false, reason, message, hull };
}
