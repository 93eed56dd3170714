/**
 * Bjøntegaard deltas (docs/ARCHITECTURE.md §3 "Score"): PCHIP in the log-rate domain, exact integrals of the
 * cubic pieces, over the PSNR range both curves share. Pure: no I/O.
 *
 * Curves are cleaned first, and the cleaning is recorded: points dominated by another point of
 * the same curve (no lower rate, no higher PSNR) are dropped, leaving the Pareto frontier — the
 * monotone upper-left hull — which is strictly increasing in both axes, as PCHIP of rate against
 * PSNR requires. Concave-hull pruning is deliberately not done: PCHIP needs only monotonicity,
 * and discarding real, non-dominated measurements would bend the score.
 */
import {
  MIN_OVERLAP_DB,
  MIN_OVERLAP_LOG10_KBPS,
  bdFailure,
  type BdFailure,
  type BdHull,
  type BdOptions,
  type BdPsnrResult,
  type BdRateResult,
  type RdPoint,
} from './bd-types.js';
import { first, last } from './checked-index.js';
import { integratePchip, pchipSlopes } from './pchip.js';
import { prepare, type Cleaned } from './rd-curve.js';

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

function noOverlap(message: string, hull: BdHull): BdFailure {
  return bdFailure('no_overlap', message, hull);
}

function fmt(value: number): string {
  return value.toFixed(3);
}
