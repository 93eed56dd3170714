/**
 * The loop's side of the cascade's early stages: whether dedup and screening run, and the
 * screening plan for the next candidate (the clip by the stated rule, the incumbent's stored
 * points on it). Pure apart from reading the store it is given.
 */
import type { BdComparison } from '../anchors/anchors.js';
import type { Clip } from '../evaluation/clip.js';
import type { EarlyStageOptions } from '../evaluation/early-stages.js';
import { chooseScreeningClip } from './screening-clip.js';
import {
  DEFAULT_SCREEN_MARGIN_PCT,
  screeningQualities,
  type ScreeningPlan,
} from '../evaluation/screening.js';
import type { IncumbentVersion, Store, StoredAttempt } from '../store/store.js';

/** `run --no-screening`, `--no-dedup`, `--screen-margin`. */
export interface EarlyStageSettings {
  readonly screening: boolean;
  readonly dedup: boolean;
  /** BD-rate (percent) on the screening clip above which a candidate stops. */
  readonly screenMarginPct: number;
}

export const DEFAULT_EARLY_STAGES: EarlyStageSettings = Object.freeze({
  screening: true,
  dedup: true,
  screenMarginPct: DEFAULT_SCREEN_MARGIN_PCT,
});

/** Past attempts the screening clip rule learns from. */
const SCREENING_HISTORY = 200;

export function earlyStageOptions(
  store: Store,
  clips: readonly Clip[],
  qualities: readonly number[],
  settings: EarlyStageSettings,
): EarlyStageOptions {
  const plan = settings.screening
    ? screeningPlan(
        store.incumbent(),
        store.attempts({ limit: SCREENING_HISTORY, offset: 0, order: 'desc', stage: 'done' })
          .attempts,
        clips,
        qualities,
        settings.screenMarginPct,
      )
    : null;
  return {
    ...(settings.dedup ? { dedup: { twinOf: (sha: string) => store.hasBehaviour(sha) } } : {}),
    ...(plan === null ? {} : { screening: plan }),
  };
}

/**
 * The screening plan against the incumbent's stored evaluation; null (no screening) when there
 * is no incumbent, fewer than three qualities, or its stored points do not cover the screening
 * clip as it is now (other frames, size or qualities: its measurement would not compare).
 */
export function screeningPlan(
  incumbent: IncumbentVersion | null,
  history: readonly StoredAttempt[],
  clips: readonly Clip[],
  qualities: readonly number[],
  marginPct: number,
): ScreeningPlan | null {
  const stored = incumbent?.attempt.metrics;
  const screenQualities = screeningQualities(qualities);
  if (incumbent == null || stored == null || screenQualities === null) return null;
  const comparisons = history.flatMap((attempt): BdComparison[] => {
    const details = attempt.assessment?.bd_rate_details;
    return details ? [details.incumbent, details.jpeg] : [];
  });
  const choice = chooseScreeningClip(
    clips.map((clip) => clip.name),
    comparisons,
  );
  const clip = clips.find((c) => c.name === choice.clip);
  const theirs = stored.clips.find((c) => c.clip === choice.clip);
  if (clip === undefined || theirs === undefined) return null;
  const sameClip =
    theirs.frames === clip.frames.length &&
    theirs.width === clip.width &&
    theirs.height === clip.height;
  const measured = new Set(theirs.points.map((point) => point.quality));
  if (!sameClip || !qualities.every((quality) => measured.has(quality))) return null;
  return {
    clip: choice.clip,
    qualities: screenQualities,
    marginPct,
    incumbent: {
      attemptId: incumbent.attemptId,
      points: theirs.points.map((p) => ({ bitrate_kbps: p.bitrate_kbps, psnr_db: p.psnr_y_db })),
    },
    choice,
  };
}
