/**
 * The screening stage's judgement (DESIGN: a cascade stops weak candidates after a cheap stage).
 * After smoke, the candidate is measured on one dev clip at three qualities and compared with the
 * incumbent's stored points on that clip; when it needs clearly more bits for the same quality
 * (BD-rate above the margin), the cascade stops: the attempt is stored as passing, stage
 * `screen`, worse and stopped early. Inconclusive comparisons never stop a candidate. Pure.
 */
import { bdRate } from './bd-rate.js';
import type { RdPoint } from './bd-types.js';
import type { ClipResult } from './evaluator.js';

/** `--screen-margin`: BD-rate (percent) on the screening clip above which a candidate stops. */
export const DEFAULT_SCREEN_MARGIN_PCT = 15;
/** The screening comparison uses the candidate's three points against the incumbent's curve. */
export const SCREEN_QUALITIES = 3;

/** Which clip screens, and why: recorded with every screened attempt. */
export interface ScreeningClipChoice {
  readonly clip: string;
  readonly rule: 'best_predictor' | 'fallback_first_clip';
  /** The rule's reasoning in a sentence, for people. */
  readonly detail: string;
  /** Past attempts the rule learnt from. */
  readonly samples: number;
  /** Mean |clip BD-rate − dev-mean BD-rate| of the chosen clip over those attempts, in points. */
  readonly meanAbsErrorPct: number | null;
}

/** What the evaluator needs to screen (EvaluateOptions.screening). */
export interface ScreeningPlan {
  readonly clip: string;
  readonly qualities: readonly number[];
  readonly marginPct: number;
  /** The incumbent's stored points on that clip (its adopted evaluation, not measured again). */
  readonly incumbent: { readonly attemptId: string; readonly points: readonly RdPoint[] };
  readonly choice: ScreeningClipChoice;
}

export type ScreeningVerdict = 'screened_out' | 'passed' | 'inconclusive';

/** The screening stage's outcome, stored with the attempt (`screening`). */
export interface ScreeningRecord {
  readonly clip: string;
  readonly qualities: readonly number[];
  readonly marginPct: number;
  readonly incumbentAttemptId: string;
  /** BD-rate of the candidate's screening points against the incumbent's curve on that clip. */
  readonly bdRatePct: number | null;
  readonly verdict: ScreeningVerdict;
  readonly reason: string;
  readonly choice: ScreeningClipChoice;
}

/** Lowest, middle and highest of the sweep's qualities; null when there are fewer than three. */
export function screeningQualities(qualities: readonly number[]): number[] | null {
  const sorted = [...new Set(qualities)].sort((a, b) => a - b);
  if (sorted.length < SCREEN_QUALITIES) return null;
  const middle = sorted[Math.floor(sorted.length / 2)];
  const low = sorted[0];
  const high = sorted[sorted.length - 1];
  if (low === undefined || middle === undefined || high === undefined) return null;
  return [low, middle, high];
}

export function judgeScreening(plan: ScreeningPlan, candidate: ClipResult): ScreeningRecord {
  const base = {
    clip: plan.clip,
    qualities: plan.qualities,
    marginPct: plan.marginPct,
    incumbentAttemptId: plan.incumbent.attemptId,
    choice: plan.choice,
  };
  const points = candidate.points.map((point) => ({
    bitrate_kbps: point.bitrate_kbps,
    psnr_db: point.psnr_y_db,
  }));
  const bd = bdRate(plan.incumbent.points, points, { minPoints: SCREEN_QUALITIES });
  if (!bd.ok) {
    return {
      ...base,
      bdRatePct: null,
      verdict: 'inconclusive',
      reason: `no BD-rate against the incumbent on clip ${plan.clip} (${bd.reason}: ${bd.message}); the full sweep decides`,
    };
  }
  const pct = bd.bd_rate_pct;
  const shown = `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %`;
  if (pct > plan.marginPct) {
    return {
      ...base,
      bdRatePct: pct,
      verdict: 'screened_out',
      reason: `worse than the incumbent on screening clip ${plan.clip}: BD-rate ${shown} over qualities ${plan.qualities.join(', ')}, above the margin of +${plan.marginPct} %; stopped before the full sweep`,
    };
  }
  return {
    ...base,
    bdRatePct: pct,
    verdict: 'passed',
    reason: `BD-rate ${shown} on screening clip ${plan.clip}, within the margin of +${plan.marginPct} %: on to the full sweep`,
  };
}
