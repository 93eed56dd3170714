/**
 * The cleaning of a rate-distortion curve before a Bjøntegaard delta: invalid points refuse the
 * computation; dominated points (no lower rate, no higher PSNR) are dropped and recorded,
 * leaving the Pareto frontier, strictly increasing in both axes as PCHIP requires. Pure.
 */
import {
  MIN_POINTS,
  bdFailure as fail,
  type BdFailure,
  type BdHull,
  type BdOptions,
  type RdPoint,
} from './bd-types.js';
import { last } from './checked-index.js';

export interface Cleaned {
  /** Strictly increasing, both of them, same length. */
  readonly logRate: readonly number[];
  readonly psnr: readonly number[];
  readonly dropped: readonly number[];
}

type CurveName = 'reference' | 'test';

export function prepare(
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
