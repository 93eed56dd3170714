/**
 * The cascade's two early endings, between smoke and the full sweep: behavioural dedup (the
 * smoke output equals an earlier attempt's) and screening (clearly worse than the incumbent on
 * one clip). Neither is a failure. The evaluator calls `earlyStages` once smoke passed; the
 * points screening measured are handed to the sweep, which does not measure them again.
 */
import type { Clip } from './clip.js';
import type { ClipResult, EvaluationMetrics, EvaluationTimings } from './evaluator.js';
import type { Failure } from './failure.js';
import { judgeScreening, type ScreeningPlan, type ScreeningRecord } from './screening.js';

/** The switches of the early stages, part of EvaluateOptions (both off when absent). */
export interface EarlyStageOptions {
  /** Behavioural dedup: the earlier attempt that behaved exactly like this, if any. */
  readonly dedup?: { readonly twinOf: (behaviourSha256: string) => string | null };
  /** Screening against the incumbent's stored points on one clip. */
  readonly screening?: ScreeningPlan;
}

interface EndedEarlyBase {
  readonly ok: false;
  readonly failure: null;
  readonly log: '';
  readonly imageId: string;
  readonly wallMs: number;
  readonly timings: EvaluationTimings;
  readonly behaviourSha256: string;
}

/** An evaluation that stopped early without failing (a variant of EvaluationResult). */
export type EndedEarly =
  | (EndedEarlyBase & {
      readonly stage: 'duplicate_behaviour';
      /** The earlier attempt with the same smoke behaviour. */
      readonly duplicateOf: string;
      readonly metrics: null;
    })
  | (EndedEarlyBase & {
      readonly stage: 'screen';
      readonly screening: ScreeningRecord;
      /** Only the screening clip's points: partial, never compared as a full sweep. */
      readonly metrics: EvaluationMetrics;
    });

type Ending =
  | { readonly stage: 'duplicate_behaviour'; readonly duplicateOf: string }
  | {
      readonly stage: 'screen';
      readonly screening: ScreeningRecord;
      readonly measured: readonly ClipResult[];
    };

export type EarlyOutcome =
  | { readonly kind: 'continue'; readonly measured: readonly ClipResult[] }
  | { readonly kind: 'ended'; readonly ending: Ending }
  | { readonly kind: 'failed'; readonly failure: Failure; readonly log: string };

export interface EarlyStageInputs {
  readonly behaviourSha256: string;
  readonly clips: readonly Clip[];
  readonly options: EarlyStageOptions;
  /** The sweep's own measurement of one clip at some qualities. */
  readonly measure: (
    clip: Clip,
    qualities: readonly number[],
  ) => Promise<
    | { readonly ok: true; readonly value: readonly ClipResult[] }
    | { readonly ok: false; readonly failure: Failure; readonly log: string }
  >;
  /** The quality floor on measured clips (null when they reach it). */
  readonly floor: (clips: readonly ClipResult[]) => Failure | null;
  /** Called with the screening record when the candidate passed or screening was inconclusive. */
  readonly screened?: (record: ScreeningRecord) => void;
}

/** The EvaluationResult variant of an early ending. */
export function endedEarly(
  ending: Ending,
  facts: Pick<EndedEarlyBase, 'imageId' | 'wallMs' | 'timings' | 'behaviourSha256'>,
  summarise: (
    clips: readonly ClipResult[],
    qualities: readonly number[],
  ) => EvaluationMetrics['points'],
): EndedEarly {
  const common = { ok: false, failure: null, log: '', ...facts } as const;
  if (ending.stage === 'duplicate_behaviour') {
    return {
      ...common,
      stage: 'duplicate_behaviour',
      duplicateOf: ending.duplicateOf,
      metrics: null,
    };
  }
  const { measured, screening } = ending;
  const metrics = { points: summarise(measured, screening.qualities), clips: measured };
  return { ...common, stage: 'screen', screening, metrics };
}

export async function earlyStages(inputs: EarlyStageInputs): Promise<EarlyOutcome> {
  const { options } = inputs;
  const twin = options.dedup?.twinOf(inputs.behaviourSha256) ?? null;
  if (twin !== null)
    return { kind: 'ended', ending: { stage: 'duplicate_behaviour', duplicateOf: twin } };
  const plan = options.screening;
  const clip = plan === undefined ? undefined : inputs.clips.find((c) => c.name === plan.clip);
  if (plan === undefined || clip === undefined) return { kind: 'continue', measured: [] };
  const measured = await inputs.measure(clip, plan.qualities);
  if (!measured.ok) return { kind: 'failed', failure: measured.failure, log: measured.log };
  const floor = inputs.floor(measured.value);
  if (floor !== null) return { kind: 'failed', failure: floor, log: '' };
  const result = measured.value.find((c) => c.clip === clip.name);
  if (result === undefined) throw new Error('screening: the screening clip was not measured');
  const screening = judgeScreening(plan, result);
  if (screening.verdict === 'screened_out') {
    return { kind: 'ended', ending: { stage: 'screen', screening, measured: measured.value } };
  }
  inputs.screened?.(screening);
  return { kind: 'continue', measured: measured.value };
}
