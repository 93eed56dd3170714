/**
 * How tuning (docs/ARCHITECTURE.md §3.7) enters an assessment: what the tuner measures
 * against, and the options of the runs that must not be tuned (the incumbent, the holdout).
 */
import type { Clip } from '../evaluation/clip.js';
import type { EvaluateOptions, EvaluationResult } from '../evaluation/results.js';
import type { TuneOptions } from '../evaluation/tune-stage.js';
import type { CodecParams } from '../evaluation/tunables.js';

/** A codec to measure against, with the params it runs with. */
export interface ParamsCodec {
  readonly code: Buffer;
  readonly origin: string;
  readonly params?: CodecParams | null;
}

/**
 * The options of a run with fixed params and no tuning: the incumbent with its own, the
 * candidate's holdout with the values its dev sweep was tuned to.
 */
export function fixedParams(
  options: EvaluateOptions,
  params: CodecParams | null | undefined,
): EvaluateOptions {
  const { tune: _tune, params: _params, ...rest } = options;
  return params === null || params === undefined ? rest : { ...rest, params };
}

/** What tuning measures against: the incumbent as it runs, or the JPEG anchor's code before v1. */
export function tuneReference(
  incumbent: ParamsCodec | null,
  jpegCode: Buffer,
): TuneOptions['reference'] {
  return incumbent === null
    ? { name: 'jpeg', codec: jpegCode, params: null }
    : { name: incumbent.origin, codec: incumbent.code, params: incumbent.params ?? null };
}

/** `codec` evaluated with its own params, untuned. */
export function evaluateFixed(
  ports: {
    evaluate(
      code: Buffer,
      clips: readonly Clip[],
      options: EvaluateOptions,
    ): Promise<EvaluationResult>;
  },
  codec: { readonly code: Buffer; readonly params?: CodecParams | null | undefined },
  clips: readonly Clip[],
  options: EvaluateOptions,
): Promise<EvaluationResult> {
  return ports.evaluate(codec.code, clips, fixedParams(options, codec.params));
}
