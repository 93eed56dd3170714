/**
 * What only the process running the loop knows, for /metrics: iteration outcomes and how long
 * evaluations and generations took since it started. Fed by the loop's onIteration; in-flight
 * evaluations come from the LoopControl. A standalone server has none of this.
 */
import type { IterationReport } from '../loop/iteration-report.js';

/** Upper bounds of the duration histograms, seconds. */
export const DURATION_BUCKETS_S = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800] as const;

export class Histogram {
  readonly counts: number[] = DURATION_BUCKETS_S.map(() => 0);
  count = 0;
  sum = 0;

  observe(value: number): void {
    this.count += 1;
    this.sum += value;
    DURATION_BUCKETS_S.forEach((bound, i) => {
      if (value <= bound) this.counts[i]! += 1;
    });
  }
}

export class LiveMetrics {
  readonly startedAtMs: number;
  readonly iterations = new Map<IterationReport['outcome'], number>();
  /** The sandbox part of an iteration: validate, smoke, sweep, holdout. */
  readonly evaluationSeconds = new Histogram();
  readonly generationSeconds = new Histogram();

  constructor(now: () => number = Date.now) {
    this.startedAtMs = now();
  }

  observe(report: IterationReport): void {
    this.iterations.set(report.outcome, (this.iterations.get(report.outcome) ?? 0) + 1);
    if (report.evaluationMs > 0) this.evaluationSeconds.observe(report.evaluationMs / 1000);
    // A mechanical fix generates nothing: its 0 s would pull the generation times down.
    if (report.generator !== 'autofix') this.generationSeconds.observe(report.generationMs / 1000);
  }
}
