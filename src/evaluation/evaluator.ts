/**
 * The evaluation cascade's entry point: validate → smoke (tiny clip, contract, determinism) →
 * sweep (every clip × quality, encoders and decoders in separate fresh containers; batched by
 * default: one encoder container per clip, one decoder container per quality) → metrics,
 * computed from the counted bytes and the decoded frames. And the isolation check before an
 * adoption, over the decoder containers of this evaluator's own successful evaluations.
 */
import type { Logger } from '../logger.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { Clip } from './clip.js';
import { Evaluation } from './evaluation.js';
import { checkIsolation, type DecoderEvidence } from './isolation.js';
import type { EarlyStageOptions } from './early-stages.js';
import type {
  CandidateResult,
  EvaluateOptions,
  EvaluationResult,
  IsolationOutcome,
} from './results.js';

export { DEFAULT_QUALITY_FLOOR_DB } from './results.js';
export type {
  CandidateResult,
  ClipResult,
  EvaluateOptions,
  EvaluationMetrics,
  EvaluationResult,
  EvaluationTimings,
  IsolationOutcome,
  RdPointMetrics,
  SummaryPoint,
  ValidationFinding,
} from './results.js';
export { mapLimited } from './map-limited.js';
export { qualityFloorFailure } from './summary.js';

export class Evaluator {
  /** The decoder evidence of each successful evaluation, for the isolation check. */
  private readonly evidence = new WeakMap<EvaluationResult, readonly DecoderEvidence[]>();

  constructor(
    private readonly sandbox: Sandbox,
    private readonly log: Logger,
    private readonly concurrency: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
      throw new Error(`evaluator concurrency must be a positive integer, got ${concurrency}`);
    }
  }

  async evaluate(
    codec: Buffer,
    clips: readonly Clip[],
    options: EvaluateOptions,
  ): Promise<EvaluationResult> {
    const result = await this.evaluateCandidate(codec, clips, options, {});
    if (result.failure === null && !result.ok) throw new Error('ended early without early stages');
    return result;
  }

  /** `evaluate` with behavioural dedup and screening, which may end the cascade early. */
  async evaluateCandidate(
    codec: Buffer,
    clips: readonly Clip[],
    options: EvaluateOptions,
    early: EarlyStageOptions,
  ): Promise<CandidateResult> {
    const { sandbox, log, concurrency, now } = this;
    const { result, evidence } = await new Evaluation({ sandbox, log, concurrency, now }).run(
      codec,
      clips,
      options,
      early,
    );
    if (result.ok) this.evidence.set(result, evidence);
    return result;
  }

  /**
   * Re-runs every decoder container of the given evaluations (this evaluator's own, successful
   * ones: the dev points the adoption rule read, and the holdout) with no other sandbox on the
   * host running; every point must reproduce byte for byte (isolation.ts).
   */
  async checkIsolation(
    codec: Buffer,
    results: readonly EvaluationResult[],
  ): Promise<IsolationOutcome> {
    const containers = results.flatMap((result) => {
      const evidence = this.evidence.get(result);
      if (evidence === undefined) {
        throw new Error('checkIsolation takes successful evaluations made by this evaluator');
      }
      return evidence;
    });
    return checkIsolation(this.sandbox, this.now, codec, containers);
  }
}
