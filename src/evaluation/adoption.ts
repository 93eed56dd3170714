/**
 * The adoption rule: is a candidate codec measurably better than the incumbent? Pure and
 * configurable; every decision carries the reasons it was made, so it can be stored and read.
 */
import type { BdRateResult } from './bd-types.js';
import type { FailureCause } from './cause.js';
import {
  describeWorstBlock,
  passesWorstBlock,
  worstBlockCause,
  type WorstBlockFacts,
  type WorstBlockRule,
} from './worst-block.js';

export interface AdoptionPolicy {
  /** Mean dev-set BD-rate vs the incumbent must be at most this (percent; −1 = 1 % fewer bits). */
  readonly maxMeanBdRatePct: number;
  /** Fraction of dev clips whose BD-rate must be negative. */
  readonly minImprovedFraction: number;
  /** Every frame of every clip at every quality point must reach this luma PSNR. */
  readonly minWorstFramePsnrDb: number;
  /** The highest quality point of every clip must reach this pooled luma PSNR. */
  readonly minTopPsnrDb: number;
  /** Extra BD-rate required per doubling of the time to encode and decode (percent). */
  readonly slowdownPenaltyPctPerDoubling: number;
  /**
   * The worst-block floor (docs/ARCHITECTURE.md §3): at every point of every clip, the worst
   * 16×16 luma block must reach the point's pooled luma PSNR minus `maxGapDb`, or `passDb`,
   * whichever is lower.
   */
  readonly worstBlock: WorstBlockRule;
}

export const DEFAULT_ADOPTION_POLICY: AdoptionPolicy = Object.freeze({
  maxMeanBdRatePct: -1,
  minImprovedFraction: 2 / 3,
  minWorstFramePsnrDb: 20,
  minTopPsnrDb: 30,
  slowdownPenaltyPctPerDoubling: 2,
  // Measured on the dev and holdout sets (npm run bench:worst-block, evaluate --json): honest
  // codecs' worst blocks sit at most 7.1 dB (JPEG) and 11.5 dB (x265) below their point's PSNR.
  worstBlock: Object.freeze({ maxGapDb: 15, passDb: 30 }),
});

export interface PerClipBdRate {
  readonly clip: string;
  readonly result: BdRateResult;
}

/** What the rule needs to know about one codec's run over a clip set. */
export interface QualityFacts {
  /** Lowest per-frame luma PSNR over every clip and quality point. */
  readonly worstFramePsnrDb: number;
  /** Per clip, the pooled luma PSNR at its highest quality point; the minimum over clips. */
  readonly minTopPsnrDb: number;
  /** Seconds to encode and decode one frame, averaged over the sweep. */
  readonly secondsPerFrame: number;
  /**
   * The point whose worst 16×16 block is furthest below its floor (worst-block.ts); null when
   * the figure was not measured (results stored before it existed), which fails the check.
   */
  readonly worstBlock: WorstBlockFacts | null;
}

export interface AdoptionInput {
  /** BD-rate of the candidate against the incumbent, per dev clip; null when there is no incumbent. */
  readonly dev: readonly PerClipBdRate[] | null;
  /** The same on the holdout clips; null when the holdout was not run. */
  readonly holdout: readonly PerClipBdRate[] | null;
  readonly candidate: QualityFacts;
  readonly incumbent: QualityFacts | null;
}

export interface AdoptionCheck {
  readonly name:
    | 'quality_floor'
    | 'worst_block'
    | 'top_quality'
    | 'dev_mean'
    | 'dev_majority'
    | 'holdout_sign'
    | 'speed'
    | 'isolation';
  readonly passed: boolean;
  readonly detail: string;
  /** What code reads when a check fails: the same vocabulary as a failure's cause (cause.ts). */
  readonly cause?: FailureCause;
}

export interface AdoptionDecision {
  readonly adopt: boolean;
  /** One line a person reads: why adopted, or the first reason it was not. */
  readonly summary: string;
  readonly checks: readonly AdoptionCheck[];
  readonly meanDevBdRatePct: number | null;
  readonly requiredBdRatePct: number | null;
}

const mean = (values: readonly number[]): number =>
  values.reduce((sum, value) => sum + value, 0) / values.length;
const pct = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(2)} %`;

function successes(rates: readonly PerClipBdRate[]): number[] {
  return rates.flatMap((rate) => (rate.result.ok ? [rate.result.bd_rate_pct] : []));
}

function refusals(rates: readonly PerClipBdRate[]): string[] {
  return rates.flatMap((rate) => (rate.result.ok ? [] : [`${rate.clip}: ${rate.result.message}`]));
}

/** The BD-rate a candidate must reach, stricter the slower it is than the incumbent. */
export function requiredBdRate(
  policy: AdoptionPolicy,
  candidate: QualityFacts,
  incumbent: QualityFacts | null,
): number {
  if (incumbent === null || incumbent.secondsPerFrame <= 0) return policy.maxMeanBdRatePct;
  const slowdown = candidate.secondsPerFrame / incumbent.secondsPerFrame;
  return slowdown <= 1
    ? policy.maxMeanBdRatePct
    : policy.maxMeanBdRatePct - policy.slowdownPenaltyPctPerDoubling * Math.log2(slowdown);
}

/** The worst-block check: the clip, quality, frame and block furthest below the floor. */
export function worstBlockCheck(
  facts: WorstBlockFacts | null,
  rule: WorstBlockRule,
): AdoptionCheck {
  if (facts === null) {
    return {
      name: 'worst_block',
      passed: false,
      detail: 'worst-block PSNR-Y was not measured: evaluate the codec again',
    };
  }
  const rulePart = `the lower of the point's PSNR-Y ${facts.point_psnr_y_db.toFixed(2)} dB − ${rule.maxGapDb} dB and ${rule.passDb} dB`;
  return passesWorstBlock(facts)
    ? {
        name: 'worst_block',
        passed: true,
        detail: `worst block nearest its floor: ${describeWorstBlock(facts)} (${rulePart})`,
      }
    : {
        name: 'worst_block',
        passed: false,
        detail: `${describeWorstBlock(facts)} (${rulePart})`,
        cause: worstBlockCause(facts),
      };
}

export function decideAdoption(
  input: AdoptionInput,
  policy: AdoptionPolicy = DEFAULT_ADOPTION_POLICY,
): AdoptionDecision {
  const checks: AdoptionCheck[] = [];
  const { candidate } = input;
  checks.push({
    name: 'quality_floor',
    passed: candidate.worstFramePsnrDb >= policy.minWorstFramePsnrDb,
    detail: `worst frame ${candidate.worstFramePsnrDb.toFixed(2)} dB (floor ${policy.minWorstFramePsnrDb} dB)`,
  });
  checks.push(worstBlockCheck(candidate.worstBlock, policy.worstBlock));
  checks.push({
    name: 'top_quality',
    passed: candidate.minTopPsnrDb >= policy.minTopPsnrDb,
    detail: `best quality point reaches ${candidate.minTopPsnrDb.toFixed(2)} dB on its worst clip (needs ${policy.minTopPsnrDb} dB)`,
  });

  let meanDev: number | null = null;
  let required: number | null = null;
  if (input.dev === null) {
    // The first version: nothing to beat, so the floors decide.
    checks.push({
      name: 'dev_mean',
      passed: true,
      detail: 'no incumbent: the first working codec is adopted if it meets the floors',
    });
  } else {
    const rates = successes(input.dev);
    const refused = refusals(input.dev);
    required = requiredBdRate(policy, candidate, input.incumbent);
    if (refused.length > 0 || rates.length === 0) {
      checks.push({
        name: 'dev_mean',
        passed: false,
        detail: `BD-rate vs the incumbent could not be computed on every dev clip (${refused.join('; ') || 'no clips'})`,
      });
    } else {
      meanDev = mean(rates);
      checks.push({
        name: 'dev_mean',
        passed: meanDev <= required,
        detail: `mean dev BD-rate vs the incumbent ${pct(meanDev)} (needs ≤ ${pct(required)})`,
      });
      const improved = rates.filter((rate) => rate < 0).length;
      checks.push({
        name: 'dev_majority',
        passed: improved / input.dev.length >= policy.minImprovedFraction - 1e-12,
        detail: `${improved} of ${input.dev.length} dev clips improve (needs ${(policy.minImprovedFraction * 100).toFixed(0)} %)`,
      });
    }
    if (input.incumbent !== null && required !== policy.maxMeanBdRatePct) {
      const slowdown = candidate.secondsPerFrame / input.incumbent.secondsPerFrame;
      checks.push({
        name: 'speed',
        passed: meanDev !== null && meanDev <= required,
        detail: `${slowdown.toFixed(1)}x slower than the incumbent, so it must reach ${pct(required)} instead of ${pct(policy.maxMeanBdRatePct)}`,
      });
    }
    if (input.holdout === null) {
      checks.push({
        name: 'holdout_sign',
        passed: false,
        detail: 'the holdout confirmation was not run',
      });
    } else {
      const holdoutRates = successes(input.holdout);
      const holdoutRefused = refusals(input.holdout);
      const holdoutMean = holdoutRates.length > 0 ? mean(holdoutRates) : null;
      checks.push({
        name: 'holdout_sign',
        passed: holdoutRefused.length === 0 && holdoutMean !== null && holdoutMean < 0,
        detail:
          holdoutMean === null || holdoutRefused.length > 0
            ? `holdout BD-rate could not be computed (${holdoutRefused.join('; ') || 'no clips'})`
            : `mean holdout BD-rate vs the incumbent ${pct(holdoutMean)} (must be negative too)`,
      });
    }
  }
  const failed = checks.find((check) => !check.passed);
  return {
    adopt: failed === undefined,
    summary:
      failed === undefined
        ? `adopted: ${checks.map((check) => check.detail).join('; ')}`
        : `not adopted: ${failed.detail}`,
    checks,
    meanDevBdRatePct: meanDev,
    requiredBdRatePct: required,
  };
}
