/**
 * When the research loop stops starting iterations. Pure: the loop gathers the facts, this
 * decides, in a fixed order (the first reason that applies is the one reported).
 */

export interface StopLimits {
  readonly iterations?: number;
  /** Stop starting iterations at this time (epoch ms). */
  readonly untilMs?: number;
  /** Stop once the store holds this many attempts in total. */
  readonly maxAttempts?: number;
  /** Stop once the store's API cost reaches this many dollars. */
  readonly maxDollars?: number;
}

/** What the loop knows when it is about to start an iteration. */
export interface LoopProgress {
  readonly aborted: boolean;
  /** An admin asked to stop (`run --serve`). */
  readonly stopRequested: boolean;
  /** Iterations started so far. */
  readonly iterations: number;
  readonly nowMs: number;
  /** Attempts in the store plus those being evaluated now. */
  readonly attempts: number;
  /** API dollars in the store plus those spent on generations that were not stored. */
  readonly dollars: number;
}

/** Why the loop stops now, or null to start another iteration. */
export function stopReason(limits: StopLimits, progress: LoopProgress): string | null {
  if (progress.aborted) return 'asked to stop';
  if (progress.stopRequested) return 'stopped by an admin';
  if (limits.iterations !== undefined && progress.iterations >= limits.iterations) {
    return `${limits.iterations} iterations done`;
  }
  if (limits.untilMs !== undefined && progress.nowMs >= limits.untilMs)
    return 'time budget reached';
  if (limits.maxAttempts !== undefined && progress.attempts >= limits.maxAttempts) {
    return `${limits.maxAttempts} attempts in the store`;
  }
  if (limits.maxDollars !== undefined && progress.dollars >= limits.maxDollars) {
    return `API cost reached $${progress.dollars.toFixed(2)}`;
  }
  return null;
}
