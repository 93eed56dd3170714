/** What the loop tells its caller after each iteration and at the end. Pure builders. */
import type { StoredAttempt } from '../store/store.js';

export interface IterationReport {
  readonly iteration: number;
  readonly attemptId: string | null;
  /** Who wrote the code: the generator's name, or `autofix` for a mechanical repair. */
  readonly generator: string;
  /** 'duplicate' when the generator repeated code that was already evaluated. */
  /**
   * 'duplicate' when the generator repeated code that was already evaluated; 'screened' when
   * screening stopped it as clearly worse; 'duplicate_behaviour' when it behaved exactly like an
   * earlier attempt (its edit changed nothing).
   */
  readonly outcome:
    'adopted' | 'kept' | 'failed' | 'duplicate' | 'screened' | 'duplicate_behaviour';
  readonly stage: string;
  readonly category: string | null;
  readonly version: number | null;
  readonly bdRateVsIncumbentPct: number | null;
  readonly bdRateVsJpegPct: number | null;
  readonly summary: string;
  readonly generationMs: number;
  readonly evaluationMs: number;
  readonly loopOverheadMs: number;
}

export interface LoopSummary {
  readonly iterations: number;
  readonly attempts: number;
  readonly adopted: number;
  readonly duplicates: number;
  readonly stoppedBecause: string;
}

/** Where an iteration's time went (ms). */
export interface IterationTimings {
  readonly generationMs: number;
  readonly evaluationMs: number;
  readonly loopOverheadMs: number;
}

/** The report of an iteration that stored `attempt`. */
export function attemptReport(
  iteration: number,
  attempt: StoredAttempt,
  outcome: IterationReport['outcome'],
  timings: IterationTimings,
): IterationReport {
  const summary =
    attempt.decision?.summary ??
    (attempt.ok
      ? 'evaluated'
      : `${attempt.stage}: ${attempt.category ?? ''} ${attempt.failureMessage ?? ''}`.trim());
  return {
    iteration,
    attemptId: attempt.id,
    generator: attempt.generator,
    outcome,
    stage: attempt.stage,
    category: attempt.category,
    version: attempt.version,
    bdRateVsIncumbentPct: attempt.assessment?.bd_rate.incumbent ?? null,
    bdRateVsJpegPct: attempt.assessment?.bd_rate.jpeg ?? null,
    summary,
    ...timings,
  };
}

/**
 * The report of an iteration whose generator repeated code: `seen` is the stored attempt with
 * that code, else `twin` is the iteration evaluating it now.
 */
export function duplicateReport(
  iteration: number,
  generator: string,
  seen: string | null,
  twin: number | undefined,
  timings: Omit<IterationTimings, 'evaluationMs'>,
): IterationReport {
  return {
    iteration,
    attemptId: seen,
    generator,
    outcome: 'duplicate',
    stage: 'skipped',
    category: null,
    version: null,
    bdRateVsIncumbentPct: null,
    bdRateVsJpegPct: null,
    summary:
      seen !== null
        ? `same code as attempt ${seen}: not evaluated again`
        : `same code as iteration ${twin ?? '?'}, still being evaluated: not evaluated twice`,
    generationMs: timings.generationMs,
    evaluationMs: 0,
    loopOverheadMs: timings.loopOverheadMs,
  };
}
