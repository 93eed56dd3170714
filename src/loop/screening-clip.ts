/**
 * The screening clip rule: screen on the dev clip whose per-clip BD-rate has tracked the dev
 * mean most closely over past attempts (the smallest mean absolute difference, in BD-rate
 * points, over every full comparison recorded: against the incumbent and against JPEG). With
 * fewer than MIN_SCREENING_SAMPLES such comparisons, the first dev clip (the dev set's own
 * order) screens. Ties go to the earlier clip. Pure.
 */
import type { BdComparison } from '../anchors/anchors.js';
import type { ScreeningClipChoice } from '../evaluation/screening.js';

export const MIN_SCREENING_SAMPLES = 3;

export function chooseScreeningClip(
  devClips: readonly string[],
  history: readonly BdComparison[],
): ScreeningClipChoice {
  const first = devClips[0];
  if (first === undefined) throw new Error('chooseScreeningClip needs at least one dev clip');
  const errors = new Map<string, { sum: number; count: number }>();
  let samples = 0;
  for (const comparison of history) {
    const mean = comparison.mean_pct;
    if (mean === null) continue;
    const perClip = new Map(comparison.per_clip.map((entry) => [entry.clip, entry.bd_rate_pct]));
    if (!devClips.every((clip) => typeof perClip.get(clip) === 'number')) continue;
    samples += 1;
    for (const clip of devClips) {
      const error = errors.get(clip) ?? { sum: 0, count: 0 };
      error.sum += Math.abs((perClip.get(clip) ?? 0) - mean);
      error.count += 1;
      errors.set(clip, error);
    }
  }
  if (samples < MIN_SCREENING_SAMPLES) {
    return {
      clip: first,
      rule: 'fallback_first_clip',
      detail: `${samples} past full comparison(s) (fewer than ${MIN_SCREENING_SAMPLES}): the first dev clip screens`,
      samples,
      meanAbsErrorPct: null,
    };
  }
  let best = { clip: first, error: Number.POSITIVE_INFINITY };
  for (const clip of devClips) {
    const tally = errors.get(clip);
    const error = tally === undefined ? Number.POSITIVE_INFINITY : tally.sum / tally.count;
    if (error < best.error) best = { clip, error };
  }
  return {
    clip: best.clip,
    rule: 'best_predictor',
    detail: `over ${samples} past full comparisons, clip ${best.clip}'s BD-rate was closest to the dev mean (mean absolute difference ${best.error.toFixed(2)} points)`,
    samples,
    meanAbsErrorPct: best.error,
  };
}
