/**
 * One evaluation in progress: the cascade validate → smoke → [dedup → screen] → sweep → quality
 * floor, each stage stopping at its first failure (dedup and screening may also end it early
 * without a failure), with the timings the stages' sandbox calls accumulate. A new
 * stage is one more step in `run`, between the ones it belongs between.
 */
import type { Logger } from '../logger.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { Clip } from './clip.js';
import type { Stage } from './failure.js';
import type { DecoderEvidence } from './isolation.js';
import {
  DEFAULT_QUALITY_FLOOR_DB,
  type CandidateResult,
  type EvaluateOptions,
  type EvaluationResult,
} from './results.js';
import { earlyStages, endedEarly, type EarlyStageOptions } from './early-stages.js';
import { SandboxCalls, type StageFailure } from './sandbox-calls.js';
import type { ScreeningRecord } from './screening.js';
import { smokeClip } from './smoke.js';
import { smokeStage } from './smoke-stage.js';
import { qualityFloorFailure, summarise } from './summary.js';
import { sweepStage } from './sweep-stage.js';
import { validateStage } from './validation-stage.js';
import { CodecLabError } from '../errors.js';
import { tuneStage, type TuningRecord } from './tune-stage.js';
import { checkParams, sameParams, type CodecParams, type TunableSpec } from './tunables.js';

export interface EvaluationContext {
  readonly sandbox: Sandbox;
  readonly log: Logger;
  readonly concurrency: number;
  readonly now: () => number;
}

export class Evaluation {
  private calls: SandboxCalls;
  private readonly started: number;

  constructor(private readonly context: EvaluationContext) {
    this.calls = new SandboxCalls(context.sandbox);
    this.started = context.now();
  }

  /** What the early stages learnt, recorded with whatever result follows. */
  private facts: {
    behaviourSha256?: string;
    screening?: ScreeningRecord;
    params?: CodecParams;
    tuning?: TuningRecord;
  } = {};

  private fail(
    stage: Exclude<Stage, 'done' | 'duplicate_behaviour'>,
    outcome: StageFailure,
  ): EvaluationResult {
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
      ...this.facts,
    };
  }

  /** The result, and the decoder evidence the isolation check needs when it succeeded. */
  async run(
    codec: Buffer,
    clips: readonly Clip[],
    options: EvaluateOptions,
    early: EarlyStageOptions = {},
  ): Promise<{ result: CandidateResult; evidence: readonly DecoderEvidence[] }> {
    const { sandbox, concurrency, now, log } = this.context;
    const first = clips[0];
    if (first === undefined) throw new Error('evaluate needs at least one clip');
    if (options.qualities.length === 0) throw new Error('evaluate needs at least one quality');

    let spec: TunableSpec | null = null;
    if (!options.skipValidation) {
      const validation = await validateStage(this.calls, codec, sandbox.limits);
      if (!validation.ok) return { result: this.fail('validate', validation), evidence: [] };
      spec = validation.value;
      // Every value a codec gets was checked here against its spec (never the container's word).
      const checked = checkParams(spec, options.params ?? {});
      if (!checked.ok) throw new CodecLabError('USAGE', `${checked.message}: fix --params`);
      this.calls = this.calls.withParams(checked.params);
      this.facts = { params: checked.params };
    } else if (options.params !== undefined) {
      throw new CodecLabError('USAGE', 'params are checked by validation: drop --skip-validation');
    }
    const middle = options.qualities[Math.floor(options.qualities.length / 2)] ?? 0.5;
    const smoke = await smokeStage(this.calls, codec, smokeClip(first), middle, concurrency);
    if (!smoke.ok) return { result: this.fail('smoke', smoke), evidence: [] };
    this.facts = { ...this.facts, behaviourSha256: smoke.value };

    const batching = options.batching ?? true;
    const settings = { concurrency, batching, now, log };
    const floorDb = options.qualityFloorDb ?? DEFAULT_QUALITY_FLOOR_DB;
    // Behavioural dedup, then screening (early-stages.ts): either may end the cascade here. The
    // screening points, and their decoder containers for the isolation check, are kept.
    const screenEvidence: DecoderEvidence[] = [];
    const ending = await earlyStages({
      behaviourSha256: smoke.value,
      clips,
      options: early,
      measure: async (clip, qualities) => {
        const measured = await sweepStage(this.calls, codec, [clip], qualities, settings);
        if (!measured.ok) return measured;
        screenEvidence.push(...measured.value.evidence);
        return { ok: true, value: measured.value.clips };
      },
      floor: (measured) => qualityFloorFailure(measured, floorDb),
      screened: (screening) => (this.facts = { ...this.facts, screening }),
    });
    if (ending.kind === 'failed') {
      return { result: this.fail('screen', { ok: false, ...ending }), evidence: [] };
    }
    if (ending.kind === 'ended') {
      const facts = { imageId: sandbox.imageId, wallMs: now() - this.started };
      const ended = endedEarly(
        ending.ending,
        { ...facts, timings: this.calls.timings, behaviourSha256: smoke.value },
        summarise,
      );
      return { result: ended, evidence: [] };
    }

    // Tuning (tune-stage.ts): the screening points were measured with the defaults, so a
    // tuned codec is swept afresh.
    let measuredBefore = ending.measured;
    const tunable = spec !== null && Object.keys(spec).length > 0;
    if (tunable && spec !== null && options.tune !== undefined && options.params === undefined) {
      const tuning = await tuneStage({
        calls: this.calls,
        codec,
        spec,
        clips,
        qualities: options.qualities,
        options: options.tune,
        settings,
      });
      this.calls = this.calls.withParams(tuning.params);
      this.facts = { ...this.facts, params: tuning.params, tuning };
      if (!sameParams(tuning.params, tuning.defaults)) {
        measuredBefore = [];
        screenEvidence.length = 0;
      }
    }
    const sweep = await sweepStage(
      this.calls,
      codec,
      clips,
      options.qualities,
      settings,
      measuredBefore,
    );
    if (!sweep.ok) return { result: this.fail('sweep', sweep), evidence: [] };
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
      ...this.facts,
    };
    return { result, evidence: [...screenEvidence, ...sweep.value.evidence] };
  }
}
