/**
 * The store's figures as the CLI (`status --json`, `versions --json`), the server and the chat
 * show them: one computation, several readers.
 */
import { type AnchorName, perAnchor } from '../anchors/anchor-point.js';
import { modelFigures, type ModelFiguresJson } from './model-figures.js';
import type { AttemptOrigin, CodecVersion, Store, StoredAttempt } from './store.js';

/**
 * A stored `bd_rate`'s figure against each anchor, null where it is missing: attempts stored
 * before the VP9 and AV1 anchors existed have no `vp9` or `av1` key.
 */
export function bdRatesByAnchor(
  bd: Partial<Readonly<Record<AnchorName, number | null>>> | null | undefined,
): Record<AnchorName, number | null> {
  return perAnchor((anchor) => bd?.[anchor] ?? null);
}

/** One entry of `codec-lab versions --json` (an interface other tools rely on). */
export interface VersionJson {
  readonly version: number;
  readonly attempt_id: string;
  readonly adopted_at: string;
  /** Percent, negative = fewer bits: vs the version before it, and vs each anchor. */
  readonly bd_rate: {
    readonly previous: number | null;
    readonly jpeg: number | null;
    readonly x264: number | null;
    readonly x265: number | null;
    readonly vp9: number | null;
    readonly av1: number | null;
  };
  /** The lowest 16×16-block luma PSNR over its dev points (dB); null when not measured. */
  readonly worst_block_psnr_y_db: number | null;
}

export function versionsJson(store: Store): VersionJson[] {
  return store.versions().map((version: CodecVersion) => {
    const attempt = store.attempt(version.attemptId);
    const bd = attempt?.assessment?.bd_rate;
    return {
      version: version.version,
      attempt_id: version.attemptId,
      adopted_at: new Date(version.adoptedAtMs).toISOString(),
      bd_rate: { previous: bd?.incumbent ?? null, ...bdRatesByAnchor(bd) },
      worst_block_psnr_y_db: worstBlockOf(attempt),
    };
  });
}

/** Results stored before the figure existed lack it: null, never a made-up number. */
function worstBlockOf(attempt: StoredAttempt | null): number | null {
  const figures = (attempt?.metrics?.points ?? []).map(
    (point) => point.worst_block_psnr_y_db as number | undefined,
  );
  if (figures.length === 0 || figures.some((figure) => typeof figure !== 'number')) return null;
  return Math.min(...(figures as number[]));
}

export interface StatusJson {
  /** Every attempt, whichever command made it; `attempts_by_origin` splits them. */
  readonly attempts: number;
  readonly attempts_by_origin: Readonly<Record<AttemptOrigin, number>>;
  readonly successes: number;
  readonly failures: number;
  readonly success_rate: number | null;
  /** Passing attempts stopped at screening: worse than the incumbent, stopped early. */
  readonly screened: number;
  /** Passing attempts that behaved exactly like an earlier one: no behavioural change. */
  readonly duplicate_behaviours: number;
  readonly failures_by_category: Readonly<Record<string, number>>;
  readonly generation_failures: number;
  readonly first_attempt_at: string | null;
  readonly first_success_at: string | null;
  /** Seconds from the first attempt to the first success. */
  readonly time_to_first_success_s: number | null;
  readonly versions: readonly VersionJson[];
  /** Tuning's cost (§3.7): attempts tuned, proxy evaluations, their wall time. */
  readonly tuning: {
    readonly attempts: number;
    readonly evaluations: number;
    readonly wall_s: number;
  };
  readonly cost: {
    readonly dollars: number;
    readonly input_tokens: number;
    readonly output_tokens: number;
  };
  /** Per model (ensemble member, or model id) over the loop's attempts (model-figures.ts). */
  readonly models: readonly ModelFiguresJson[];
  readonly last_attempt: {
    readonly id: string;
    readonly origin: AttemptOrigin;
    readonly at: string;
    readonly stage: string;
    readonly category: string | null;
  } | null;
}

export function statusJson(store: Store): StatusJson {
  const totals = store.totals();
  const last: StoredAttempt | undefined = store.attempts({ limit: 1, offset: 0, order: 'desc' })
    .attempts[0];
  const iso = (ms: number | null): string | null =>
    ms === null ? null : new Date(ms).toISOString();
  return {
    attempts: totals.attempts,
    attempts_by_origin: totals.attemptsByOrigin,
    successes: totals.successes,
    failures: totals.failures,
    success_rate: totals.attempts > 0 ? totals.successes / totals.attempts : null,
    screened: totals.screened,
    duplicate_behaviours: totals.duplicateBehaviours,
    failures_by_category: totals.failuresByCategory,
    generation_failures: totals.generationFailures,
    first_attempt_at: iso(totals.firstAttemptAtMs),
    first_success_at: iso(totals.firstSuccessAtMs),
    time_to_first_success_s:
      totals.firstAttemptAtMs !== null && totals.firstSuccessAtMs !== null
        ? (totals.firstSuccessAtMs - totals.firstAttemptAtMs) / 1000
        : null,
    versions: versionsJson(store),
    tuning: {
      attempts: totals.tuning.attempts,
      evaluations: totals.tuning.evaluations,
      wall_s: totals.tuning.wallMs / 1000,
    },
    cost: {
      dollars: totals.cost.dollars,
      input_tokens: totals.cost.inputTokens,
      output_tokens: totals.cost.outputTokens,
    },
    models: modelFigures(store.modelOutcomes()),
    last_attempt: last
      ? {
          id: last.id,
          origin: last.origin,
          at: new Date(last.createdAtMs).toISOString(),
          stage: last.stage,
          category: last.category,
        }
      : null,
  };
}
