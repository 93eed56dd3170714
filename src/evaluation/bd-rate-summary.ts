/** Per-clip BD-rates summarised over a clip set: mean, median and the failures by reason. */
import type { BdFailureReason, BdRateResult } from './bd-types.js';
import { at } from './checked-index.js';

export interface BdRateSummary {
  /** True only when there was at least one clip and every clip succeeded. */
  readonly complete: boolean;
  readonly clips: number;
  readonly succeeded: number;
  /** Over the clips that succeeded; null when none did. */
  readonly mean_bd_rate_pct: number | null;
  readonly median_bd_rate_pct: number | null;
  readonly failure_counts: Readonly<Record<BdFailureReason, number>>;
  readonly failures: ReadonlyArray<{
    readonly clip: string;
    readonly reason: BdFailureReason;
    readonly message: string;
  }>;
}

export function summariseBdRates(
  perClip: ReadonlyArray<{ readonly clip: string; readonly result: BdRateResult }>,
): BdRateSummary {
  const values: number[] = [];
  const failures: Array<{ clip: string; reason: BdFailureReason; message: string }> = [];
  const failure_counts: Record<BdFailureReason, number> = {
    too_few_points: 0,
    no_overlap: 0,
    not_monotonic: 0,
    invalid_point: 0,
  };
  for (const { clip, result } of perClip) {
    if (result.ok) {
      values.push(result.bd_rate_pct);
    } else {
      failures.push({ clip, reason: result.reason, message: result.message });
      failure_counts[result.reason] += 1;
    }
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length === 0
      ? null
      : sorted.length % 2 === 1
        ? at(sorted, mid)
        : (at(sorted, mid - 1) + at(sorted, mid)) / 2;
  return {
    complete: perClip.length > 0 && failures.length === 0,
    clips: perClip.length,
    succeeded: values.length,
    mean_bd_rate_pct:
      values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length,
    median_bd_rate_pct: median,
    failure_counts,
    failures,
  };
}
