/**
 * Attempts as the HTTP API shows them (snake_case, like `evaluate --json` and `status --json`),
 * and the success/failure timeline the dashboard draws. Pure. Every string here may be text the
 * LLM wrote: it is data for the client to escape, never markup.
 */
import type { TimelineSlice } from '../charts/timeline-chart.js';
import type { StoredAttempt } from '../store/store.js';
import { bdRatesByAnchor } from '../store/summaries.js';

export interface AttemptSummaryJson {
  readonly id: string;
  /** The command that made it: `run` or `evaluate`. */
  readonly origin: StoredAttempt['origin'];
  readonly created_at: string;
  readonly ok: boolean;
  readonly stage: string;
  readonly category: string | null;
  readonly failure_message: string | null;
  readonly failure_cause: StoredAttempt['failureCause'];
  readonly version: number | null;
  readonly parent_id: string | null;
  readonly generator: string;
  readonly model: string;
  readonly bd_rate: {
    readonly incumbent: number | null;
    readonly jpeg: number | null;
    readonly x264: number | null;
    readonly x265: number | null;
    readonly vp9: number | null;
    readonly av1: number | null;
  } | null;
  readonly adopted: boolean | null;
  readonly decision_summary: string | null;
  readonly cost_usd: number;
  readonly generation_ms: number;
  readonly evaluation_ms: number;
  /**
   * How a passing attempt ended early: `screen` (worse, stopped early) or `duplicate_behaviour`
   * (no behavioural change, see duplicate_of); null otherwise. Neither is an error.
   */
  readonly ended_early: 'screen' | 'duplicate_behaviour' | null;
  readonly duplicate_of: string | null;
}

export interface AttemptDetailJson extends AttemptSummaryJson {
  readonly code: string;
  readonly code_sha256: string;
  /** `evaluate`'s codec file and flags; null for the loop's attempts. */
  readonly settings: StoredAttempt['settings'];
  readonly prompt: { readonly system: string; readonly user: string } | null;
  readonly raw_response: string;
  readonly generation_failure: string | null;
  readonly traceback: string | null;
  readonly failure_line: number | null;
  readonly findings: StoredAttempt['findings'];
  readonly log: string;
  readonly image_id: string | null;
  readonly metrics: StoredAttempt['metrics'];
  readonly assessment: StoredAttempt['assessment'];
  readonly decision: StoredAttempt['decision'];
  readonly behaviour_sha256: string | null;
  readonly screening: StoredAttempt['screening'];
  readonly usage: {
    readonly input_tokens: number;
    readonly output_tokens: number;
    readonly cache_read_tokens: number;
    readonly cache_write_tokens: number;
    readonly cost_usd: number;
  };
}

export function attemptSummaryJson(attempt: StoredAttempt): AttemptSummaryJson {
  const bd = attempt.assessment?.bd_rate;
  return {
    id: attempt.id,
    origin: attempt.origin,
    created_at: new Date(attempt.createdAtMs).toISOString(),
    ok: attempt.ok,
    stage: attempt.stage,
    category: attempt.category,
    failure_message: attempt.failureMessage,
    failure_cause: attempt.failureCause,
    version: attempt.version,
    parent_id: attempt.parentId,
    generator: attempt.generator,
    model: attempt.model,
    bd_rate: bd ? { incumbent: bd.incumbent ?? null, ...bdRatesByAnchor(bd) } : null,
    adopted: attempt.decision?.adopt ?? null,
    decision_summary: attempt.decision?.summary ?? null,
    cost_usd: attempt.usage.costUsd,
    generation_ms: attempt.timings.generationMs,
    evaluation_ms: attempt.timings.evaluationMs,
    ended_early:
      attempt.ok && (attempt.stage === 'screen' || attempt.stage === 'duplicate_behaviour')
        ? attempt.stage
        : null,
    duplicate_of: attempt.duplicateOf,
  };
}

export function attemptDetailJson(attempt: StoredAttempt): AttemptDetailJson {
  return {
    ...attemptSummaryJson(attempt),
    code: attempt.code,
    code_sha256: attempt.codeSha256,
    settings: attempt.settings,
    prompt: attempt.prompt,
    raw_response: attempt.rawResponse,
    generation_failure: attempt.generationFailure,
    traceback: attempt.traceback,
    failure_line: attempt.failureLine,
    findings: attempt.findings,
    log: attempt.log,
    image_id: attempt.imageId,
    metrics: attempt.metrics,
    assessment: attempt.assessment,
    decision: attempt.decision,
    behaviour_sha256: attempt.behaviourSha256,
    screening: attempt.screening,
    usage: {
      input_tokens: attempt.usage.inputTokens,
      output_tokens: attempt.usage.outputTokens,
      cache_read_tokens: attempt.usage.cacheReadTokens,
      cache_write_tokens: attempt.usage.cacheWriteTokens,
      cost_usd: attempt.usage.costUsd,
    },
  };
}

/** One slice of `GET /api/timeline`: the shape the timeline chart draws (charts/). */
export type TimelineBucket = TimelineSlice;

/**
 * Attempts (any order) in `buckets` equal slices of time from the first to the last, for the
 * success/failure-rate chart. No attempts: no buckets.
 */
export function timeline(
  attempts: ReadonlyArray<Pick<StoredAttempt, 'createdAtMs' | 'ok'>>,
  buckets: number,
): TimelineBucket[] {
  if (attempts.length === 0) return [];
  const times = attempts.map((a) => a.createdAtMs);
  const first = Math.min(...times);
  const last = Math.max(...times);
  const width = Math.max(1, Math.ceil((last - first + 1) / buckets));
  const count = Math.min(buckets, Math.ceil((last - first + 1) / width));
  const rows = Array.from({ length: count }, () => ({ attempts: 0, successes: 0 }));
  for (const attempt of attempts) {
    const row = rows[Math.min(count - 1, Math.floor((attempt.createdAtMs - first) / width))]!;
    row.attempts += 1;
    if (attempt.ok) row.successes += 1;
  }
  return rows.map((row, i) => ({
    start: new Date(first + i * width).toISOString(),
    end: new Date(first + (i + 1) * width).toISOString(),
    attempts: row.attempts,
    successes: row.successes,
    failures: row.attempts - row.successes,
    success_rate: row.attempts > 0 ? row.successes / row.attempts : null,
  }));
}
