/**
 * Piecewise cubic Hermite interpolation (PCHIP) as scipy computes it, and the exact integral of
 * its pieces: the numerical core of the Bjøntegaard deltas. Pure.
 */
import { at } from './checked-index.js';

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
