/**
 * A codec's full assessment: its evaluation, its BD-rate against the measured anchors and the
 * incumbent on the same clips, and — when it is a candidate to replace the incumbent — the
 * holdout confirmation and the adoption decision with its reasons.
 */
import {
  codecBdRates,
  compareBdRates,
  type AnchorTable,
  type BdComparison,
} from '../anchors/anchors.js';
import { ANCHOR_NAMES, type AnchorName, perAnchor } from '../anchors/anchor-point.js';
import { anchorSettingsRecords, type AnchorSettingsRecords } from './anchor-settings.js';
import {
  DEFAULT_ADOPTION_POLICY,
  decideAdoption,
  type AdoptionDecision,
  type AdoptionPolicy,
  type PerClipBdRate,
  type QualityFacts,
} from '../evaluation/adoption.js';
import { worstBlockFacts, worstBlockFailure } from '../evaluation/worst-block.js';
import { bdRate } from '../evaluation/bd-rate.js';
import type { Clip } from '../evaluation/clip.js';
import type { EarlyStageOptions, EndedEarly } from '../evaluation/early-stages.js';
import type { CodecParams } from '../evaluation/tunables.js';
import { evaluateFixed } from './tuning-options.js';
import type {
  CandidateResult,
  ClipResult,
  EvaluateOptions,
  EvaluationMetrics,
  EvaluationResult,
  Evaluator,
  IsolationOutcome,
} from '../evaluation/evaluator.js';

/** `bd_rate` of `evaluate --json`: mean over clips in percent, null where it cannot be computed. */
export type BdRateSummary = Record<AnchorName | 'incumbent', number | null>;

export interface Assessment {
  readonly result: EvaluationResult;
  readonly bd_rate: BdRateSummary;
  /** Per clip, and the reason wherever a summary value is null. */
  readonly bd_rate_details: Record<AnchorName | 'incumbent', BdComparison>;
  /** What the anchors were measured with; null when the codec failed before they were needed. */
  readonly anchor_settings: AnchorSettingsRecords | null;
  /** Present when there is an incumbent (or none yet) and the candidate evaluated ok. */
  readonly adoption: AdoptionDecision | null;
  readonly incumbent: { readonly origin: string; readonly result: EvaluationResult } | null;
}

export interface Incumbent {
  readonly code: Buffer;
  /** Its config['params'] (an adopted version's tuned values); absent: its defaults. */
  readonly params?: CodecParams | null;
  /** Where it came from (a path, `best_codec_implementation.json`), for reports. */
  readonly origin: string;
}

export interface AssessInputs {
  readonly code: Buffer;
  readonly clips: readonly Clip[];
  /** Holdout clips, used only to confirm a candidate that passed the dev checks. */
  readonly holdout: readonly Clip[] | null;
  readonly incumbent: Incumbent | null;
  readonly options: EvaluateOptions;
  readonly policy?: AdoptionPolicy;
}

/** The side effects an assessment needs: evaluating code, measuring anchors. */
export interface AssessPorts {
  evaluate(
    code: Buffer,
    clips: readonly Clip[],
    options: EvaluateOptions,
  ): Promise<EvaluationResult>;
  anchors(clips: readonly Clip[]): Promise<AnchorTable>;
  /**
   * Re-runs the decodes of these evaluations (made by `evaluate`) with no other sandbox on the
   * host running; they must reproduce byte for byte (Evaluator.checkIsolation).
   */
  checkIsolation(code: Buffer, results: readonly EvaluationResult[]): Promise<IsolationOutcome>;
  /** `evaluate` with the early stages (dedup, screening); without it they never run. */
  evaluateCandidate?(
    code: Buffer,
    clips: readonly Clip[],
    options: EvaluateOptions,
    early: EarlyStageOptions,
  ): Promise<CandidateResult>;
}

/**
 * The ports of an assessment that evaluates with `evaluator` and measures anchors with
 * `anchors`; `defaults` fill in options the caller left out (e.g. `batching` from the CLI).
 */
export function evaluatorPorts(
  evaluator: Evaluator,
  anchors: AssessPorts['anchors'],
  defaults: Partial<EvaluateOptions> = {},
): AssessPorts {
  return {
    evaluate: (code, clips, options) =>
      evaluator.evaluate(code, clips, { ...defaults, ...options }),
    anchors,
    checkIsolation: (code, results) => evaluator.checkIsolation(code, results),
    evaluateCandidate: (code, clips, options, early) =>
      evaluator.evaluateCandidate(code, clips, options, early),
  };
}

const unavailable = (reason: string): BdComparison => ({
  mean_pct: null,
  median_pct: null,
  reason,
  per_clip: [],
});

function failedAssessment(
  result: Extract<EvaluationResult, { ok: false }>,
  adoption: AdoptionDecision | null = null,
): Assessment {
  const why = unavailable(`the codec failed at ${result.stage}: ${result.failure.category}`);
  const names = [...ANCHOR_NAMES, 'incumbent'] as const;
  return {
    result,
    bd_rate: Object.fromEntries(names.map((name) => [name, null])) as BdRateSummary,
    bd_rate_details: Object.fromEntries(names.map((name) => [name, why])) as Record<
      AnchorName | 'incumbent',
      BdComparison
    >,
    anchor_settings: null,
    adoption,
    incumbent: null,
  };
}

export async function assessCodec(inputs: AssessInputs, ports: AssessPorts): Promise<Assessment> {
  return assessResult(
    inputs,
    ports,
    await ports.evaluate(inputs.code, inputs.clips, inputs.options),
  );
}

/**
 * A candidate's assessment with the early stages: an early ending (a behavioural duplicate, or
 * screened out as clearly worse) is returned as it is, with nothing compared or decided.
 */
export async function assessCandidate(
  inputs: AssessInputs,
  early: EarlyStageOptions,
  ports: AssessPorts,
): Promise<Assessment | EndedEarly> {
  const result = ports.evaluateCandidate
    ? await ports.evaluateCandidate(inputs.code, inputs.clips, inputs.options, early)
    : await ports.evaluate(inputs.code, inputs.clips, inputs.options);
  if (!result.ok && result.failure === null) return result;
  return assessResult(inputs, ports, result);
}

async function assessResult(
  inputs: AssessInputs,
  ports: AssessPorts,
  result: EvaluationResult,
): Promise<Assessment> {
  if (!result.ok) return failedAssessment(result);
  const [table, incumbentResult] = await Promise.all([
    ports.anchors(inputs.clips),
    inputs.incumbent ? evaluateFixed(ports, inputs.incumbent, inputs.clips, inputs.options) : null,
  ]);
  const anchors = codecBdRates(result.metrics.clips, table);
  const vsIncumbent =
    incumbentResult === null
      ? null
      : incumbentResult.ok
        ? perClipAgainst(incumbentResult.metrics, result.metrics)
        : null;
  const incumbentDetail: BdComparison =
    inputs.incumbent === null
      ? unavailable('no incumbent: nothing adopted yet (or pass --incumbent)')
      : vsIncumbent === null
        ? unavailable(
            `the incumbent (${inputs.incumbent.origin}) failed to evaluate on these clips`,
          )
        : compareBdRates(vsIncumbent);

  const decided = await decide(inputs, ports, result, incumbentResult, vsIncumbent);
  let adoption = decided?.decision ?? null;
  // A codec that destroys a region fails, whatever else the decision found (docs/ARCHITECTURE.md
  // §3 "Worst-block floor"), with the clip, frame and block in its cause.
  const policy = inputs.policy ?? DEFAULT_ADOPTION_POLICY;
  const blocks = worstBlockFacts(result.metrics.clips, policy.worstBlock);
  if (blocks !== null && blocks.psnr_y_db < blocks.floor_db) {
    return failedAssessment(
      {
        ok: false,
        stage: 'sweep',
        failure: worstBlockFailure(blocks, policy.worstBlock),
        log: '',
        metrics: null,
        imageId: result.imageId,
        wallMs: result.wallMs,
        timings: result.timings,
        ...(result.behaviourSha256 === undefined
          ? {}
          : { behaviourSha256: result.behaviourSha256 }),
        ...(result.screening === undefined ? {} : { screening: result.screening }),
        ...(result.params === undefined ? {} : { params: result.params }),
        ...(result.tuning === undefined ? {} : { tuning: result.tuning }),
      },
      adoption,
    );
  }
  if (adoption?.adopt === true && decided !== null) {
    // Last, and only for a candidate about to be adopted: its measured decodes must not have
    // depended on anything but its counted bytes.
    const isolation = await ports.checkIsolation(inputs.code, [
      result,
      ...(decided.holdout ? [decided.holdout] : []),
    ]);
    adoption = withIsolation(adoption, isolation);
    if (!isolation.ok) {
      return failedAssessment(
        {
          ok: false,
          stage: 'sweep',
          failure: isolation.failure,
          log: isolation.log,
          metrics: null,
          imageId: result.imageId,
          wallMs: result.wallMs + isolation.wallMs,
          timings: result.timings,
        },
        adoption,
      );
    }
  }
  return {
    result,
    bd_rate: {
      ...perAnchor((anchor) => anchors[anchor].mean_pct),
      incumbent: incumbentDetail.mean_pct,
    },
    bd_rate_details: { ...anchors, incumbent: incumbentDetail },
    anchor_settings: anchorSettingsRecords(table),
    adoption,
    incumbent:
      inputs.incumbent && incumbentResult
        ? { origin: inputs.incumbent.origin, result: incumbentResult }
        : null,
  };
}

/** The isolation check's verdict added to a decision that adopted. */
function withIsolation(decision: AdoptionDecision, isolation: IsolationOutcome): AdoptionDecision {
  const seconds = (isolation.wallMs / 1000).toFixed(1);
  const check = isolation.ok
    ? {
        name: 'isolation' as const,
        passed: true,
        detail: `its ${isolation.decodes} measured decodes reproduced byte for byte with no other sandbox running (${seconds} s)`,
      }
    : { name: 'isolation' as const, passed: false, detail: isolation.failure.message };
  return {
    ...decision,
    adopt: isolation.ok,
    summary: isolation.ok ? `${decision.summary}; ${check.detail}` : `not adopted: ${check.detail}`,
    checks: [...decision.checks, check],
  };
}

interface Decided {
  readonly decision: AdoptionDecision;
  /** The candidate's holdout evaluation, when the holdout was run. */
  readonly holdout: EvaluationResult | null;
}

async function decide(
  inputs: AssessInputs,
  ports: AssessPorts,
  candidateResult: Extract<EvaluationResult, { ok: true }>,
  incumbentResult: EvaluationResult | null,
  dev: PerClipBdRate[] | null,
): Promise<Decided | null> {
  const candidate = candidateResult.metrics;
  const policy = inputs.policy ?? DEFAULT_ADOPTION_POLICY;
  if (inputs.incumbent === null) {
    const decision = decideAdoption(
      { dev: null, holdout: null, candidate: qualityFacts(candidate, policy), incumbent: null },
      policy,
    );
    return { decision, holdout: null };
  }
  if (incumbentResult === null || !incumbentResult.ok || dev === null) return null;
  const incumbentFacts = qualityFacts(incumbentResult.metrics, policy);
  const candidateFacts = qualityFacts(candidate, policy);
  const withoutHoldout = decideAdoption(
    { dev, holdout: null, candidate: candidateFacts, incumbent: incumbentFacts },
    policy,
  );
  // The holdout is spent only on a candidate that passed everything else.
  const passedDev = withoutHoldout.checks.every(
    (check) => check.passed || check.name === 'holdout_sign',
  );
  if (!passedDev || inputs.holdout === null || inputs.holdout.length === 0)
    return { decision: withoutHoldout, holdout: null };
  const [mine, theirs] = await Promise.all([
    // The holdout runs with the values the dev sweep was tuned to: never tuned again.
    evaluateFixed(
      ports,
      { ...inputs, params: candidateResult.params },
      inputs.holdout,
      inputs.options,
    ),
    evaluateFixed(ports, inputs.incumbent, inputs.holdout, inputs.options),
  ]);
  const holdout: PerClipBdRate[] | null =
    mine.ok && theirs.ok ? perClipAgainst(theirs.metrics, mine.metrics) : null;
  if (holdout === null) {
    const failed = mine.ok ? 'the incumbent' : 'the candidate';
    const decision: AdoptionDecision = {
      ...withoutHoldout,
      adopt: false,
      summary: `not adopted: ${failed} failed on the holdout clips`,
      checks: [
        ...withoutHoldout.checks.filter((check) => check.name !== 'holdout_sign'),
        { name: 'holdout_sign', passed: false, detail: `${failed} failed on the holdout clips` },
      ],
    };
    return { decision, holdout: null };
  }
  const decision = decideAdoption(
    { dev, holdout, candidate: candidateFacts, incumbent: incumbentFacts },
    policy,
  );
  return { decision, holdout: mine };
}

/** BD-rate of `test` against `reference`, clip by clip (matched by name). */
export function perClipAgainst(
  reference: EvaluationMetrics,
  test: EvaluationMetrics,
): PerClipBdRate[] {
  return test.clips.map((clip) => {
    const theirs = reference.clips.find((candidate) => candidate.clip === clip.clip);
    return {
      clip: clip.clip,
      result:
        theirs === undefined
          ? {
              ok: false,
              reason: 'no_overlap',
              message: `the reference was not measured on clip ${clip.clip}`,
            }
          : bdRate(curve(theirs), curve(clip)),
    };
  });
}

function curve(clip: ClipResult): Array<{ bitrate_kbps: number; psnr_db: number }> {
  return clip.points.map((point) => ({
    bitrate_kbps: point.bitrate_kbps,
    psnr_db: point.psnr_y_db,
  }));
}

/** The figures the adoption rule's floors and speed check read. */
export function qualityFacts(
  metrics: EvaluationMetrics,
  policy: AdoptionPolicy = DEFAULT_ADOPTION_POLICY,
): QualityFacts {
  let worst = Number.POSITIVE_INFINITY;
  let minTop = Number.POSITIVE_INFINITY;
  let seconds = 0;
  let frames = 0;
  for (const clip of metrics.clips) {
    let top: (typeof clip.points)[number] | undefined;
    for (const point of clip.points) {
      worst = Math.min(worst, point.worst_psnr_y_db);
      if (top === undefined || point.quality > top.quality) top = point;
      seconds += clip.frames / point.encode_fps + clip.frames / point.decode_fps;
      frames += clip.frames;
    }
    if (top !== undefined) minTop = Math.min(minTop, top.psnr_y_db);
  }
  return {
    worstFramePsnrDb: Number.isFinite(worst) ? worst : 0,
    minTopPsnrDb: Number.isFinite(minTop) ? minTop : 0,
    secondsPerFrame: frames > 0 ? seconds / frames : 0,
    worstBlock: worstBlockFacts(metrics.clips, policy.worstBlock),
  };
}
