/**
 * One evaluation in progress: the cascade validate → smoke → sweep → quality floor, each stage
 * stopping at its first failure, with the timings the stages' sandbox calls accumulate. A new
 * stage is one more step in `run`, between the ones it belongs between.
 */
import type { Logger } from '../logger.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { Clip } from './clip.js';
import type { Stage } from './failure.js';
import type { DecoderEvidence } from './isolation.js';
import {
  DEFAULT_QUALITY_FLOOR_DB,
  type EvaluateOptions,
  type EvaluationResult,
} from './results.js';
import { SandboxCalls, type StageFailure } from './sandbox-calls.js';
import { smokeClip } from './smoke.js';
import { smokeStage } from './smoke-stage.js';
import { qualityFloorFailure, summarise } from './summary.js';
import { sweepStage } from './sweep-stage.js';
import { validateStage } from './validation-stage.js';

export interface EvaluationContext {
  readonly sandbox: Sandbox;
  readonly log: Logger;
  readonly concurrency: number;
  readonly now: () => number;
}

export class Evaluation {
  private readonly calls: SandboxCalls;
  private readonly started: number;

  constructor(private readonly context: EvaluationContext) {
    this.calls = new SandboxCalls(context.sandbox);
    this.started = context.now();
  }

  private fail(stage: Exclude<Stage, 'done'>, outcome: StageFailure): EvaluationResult {
    return {
      ok: false,
      stage,
      failure: outcome.failure,
      ...(outcome.findings ? { findings: outcome.findings } : {}),
      log: outcome.log,
      metrics: null,
      imageId: this.context.sandbox.imageId,
      wallMs: this.context.now() - this.started,
      timings: this.calls.timings,
    };
  }

  /** The result, and the decoder evidence the isolation check needs when it succeeded. */
  async run(
    codec: Buffer,
    clips: readonly Clip[],
    options: EvaluateOptions,
  ): Promise<{ result: EvaluationResult; evidence: readonly DecoderEvidence[] }> {
    const { sandbox, concurrency, now, log } = this.context;
    const first = clips[0];
    if (first === undefined) throw new Error('evaluate needs at least one clip');
    if (options.qualities.length === 0) throw new Error('evaluate needs at least one quality');

    if (!options.skipValidation) {
      const validation = await validateStage(this.calls, codec, sandbox.limits);
      if (!validation.ok) return { result: this.fail('validate', validation), evidence: [] };
    }
    const middle = options.qualities[Math.floor(options.qualities.length / 2)] ?? 0.5;
    const smoke = await smokeStage(this.calls, codec, smokeClip(first), middle, concurrency);
    if (!smoke.ok) return { result: this.fail('smoke', smoke), evidence: [] };

    const batching = options.batching ?? true;
    const settings = { concurrency, batching, now, log };
    const sweep = await sweepStage(this.calls, codec, clips, options.qualities, settings);
    if (!sweep.ok) return { result: this.fail('sweep', sweep), evidence: [] };
    const floorDb = options.qualityFloorDb ?? DEFAULT_QUALITY_FLOOR_DB;
    const floor = qualityFloorFailure(sweep.value.clips, floorDb);
    if (floor)
      return { result: this.fail('sweep', { ok: false, failure: floor, log: '' }), evidence: [] };
    const result: EvaluationResult = {
      ok: true,
      stage: 'done',
      failure: null,
      metrics: {
        points: summarise(sweep.value.clips, options.qualities),
        clips: sweep.value.clips,
      },
      imageId: sandbox.imageId,
      wallMs: now() - this.started,
      timings: this.calls.timings,
    };
    return { result, evidence: sweep.value.evidence };
  }
}
