/**
 * The tune stage (docs/ARCHITECTURE.md §3.7), after smoke and screening: a codec with TUNABLES
 * is tuned on a low-fidelity proxy the stage chooses and records (the first one or two clips,
 * their first few frames, four of the sweep's qualities). The reference (the incumbent, or the
 * JPEG anchor before v1) is swept once on the same proxy; each candidate's proxy sweep runs in
 * the sandbox like any other, and its objective is the mean per-clip BD-rate against that
 * reference. The full sweep then runs with the tuned values.
 */
import { bdRate } from './bd-rate.js';
import type { Clip } from './clip.js';
import type { ClipResult } from './results.js';
import type { SandboxCalls } from './sandbox-calls.js';
import { sweepStage, type SweepSettings } from './sweep-stage.js';
import { tune } from './tuner.js';
import { defaultsOf, type CodecParams, type TunableSpec } from './tunables.js';

export const DEFAULT_TUNE_BUDGET = 12;
const PROXY_CLIPS = 2;
const PROXY_FRAMES = 4;
const PROXY_QUALITIES = 4;

/** What tuning is asked to do (part of EvaluateOptions; absent: no tuning). */
export interface TuneOptions {
  /** Proxy evaluations of the candidate, the defaults included. */
  readonly budget: number;
  readonly seed: number;
  /** What the objective measures against: code and params run on the proxy like the candidate. */
  readonly reference: {
    readonly name: string;
    readonly codec: Buffer;
    readonly params: CodecParams | null;
  };
}

export interface TuningProxy {
  readonly clips: readonly string[];
  readonly frames: number;
  readonly qualities: readonly number[];
  readonly reference: string;
}

/** The attempt's record of its tuning (`evaluate --json` prints part of it). */
export interface TuningRecord {
  readonly params: CodecParams;
  readonly defaults: CodecParams;
  readonly default_bd_rate: number | null;
  readonly tuned_bd_rate: number | null;
  /** Proxy evaluations of the candidate (the reference's one sweep is not counted). */
  readonly evaluations: number;
  readonly wall_ms: number;
  readonly seed: number;
  readonly proxy: TuningProxy;
  readonly trials: ReadonlyArray<{ readonly params: CodecParams; readonly bd_rate: number | null }>;
  /** Why nothing was tuned although the codec has TUNABLES (the defaults stand); absent when tuned. */
  readonly skipped?: string;
}

/** Four qualities spread over the sweep's (all of them when there are fewer). */
export function proxyQualities(qualities: readonly number[]): number[] {
  const sorted = [...qualities].sort((a, b) => a - b);
  if (sorted.length <= PROXY_QUALITIES) return sorted;
  const picks = new Set<number>();
  for (let i = 0; i < PROXY_QUALITIES; i += 1) {
    picks.add(sorted[Math.round((i * (sorted.length - 1)) / (PROXY_QUALITIES - 1))] as number);
  }
  return [...picks];
}

export function proxyClips(clips: readonly Clip[]): Clip[] {
  return clips.slice(0, PROXY_CLIPS).map((clip) => ({
    ...clip,
    frames: clip.frames.slice(0, PROXY_FRAMES),
  }));
}

/** Mean per-clip BD-rate of `test` against `reference`; null when any clip has none. */
export function meanBdRate(
  reference: readonly ClipResult[],
  test: readonly ClipResult[],
): number | null {
  const rates: number[] = [];
  for (const clip of test) {
    const ref = reference.find((c) => c.clip === clip.clip);
    if (ref === undefined) return null;
    const curve = (c: ClipResult): { bitrate_kbps: number; psnr_db: number }[] =>
      c.points.map((p) => ({ bitrate_kbps: p.bitrate_kbps, psnr_db: p.psnr_y_db }));
    const result = bdRate(curve(ref), curve(clip));
    if (!result.ok) return null;
    rates.push(result.bd_rate_pct);
  }
  return rates.length === 0 ? null : rates.reduce((a, b) => a + b, 0) / rates.length;
}

export async function tuneStage(inputs: {
  readonly calls: SandboxCalls;
  readonly codec: Buffer;
  readonly spec: TunableSpec;
  readonly clips: readonly Clip[];
  readonly qualities: readonly number[];
  readonly options: TuneOptions;
  readonly settings: SweepSettings;
}): Promise<TuningRecord> {
  const { calls, codec, spec, options, settings } = inputs;
  const started = settings.now();
  const clips = proxyClips(inputs.clips);
  const qualities = proxyQualities(inputs.qualities);
  const sweep = async (
    code: Buffer,
    params: CodecParams | null,
  ): Promise<readonly ClipResult[] | null> => {
    const outcome = await sweepStage(calls.withParams(params), code, clips, qualities, settings);
    return outcome.ok ? outcome.value.clips : null;
  };
  const reference = await sweep(options.reference.codec, options.reference.params);
  // No reference curve on the proxy: nothing to tune against, the defaults stand.
  const budget = reference === null ? 0 : options.budget;
  const outcome = await tune(spec, budget, options.seed, async (params) => {
    const measured = reference === null ? null : await sweep(codec, params);
    return measured === null || reference === null ? null : meanBdRate(reference, measured);
  });
  return {
    params: outcome.params,
    defaults: defaultsOf(spec),
    default_bd_rate: outcome.defaultScore,
    tuned_bd_rate: outcome.tunedScore,
    evaluations: outcome.trials.length,
    wall_ms: settings.now() - started,
    seed: options.seed,
    proxy: {
      clips: clips.map((c) => c.name),
      frames: Math.min(...clips.map((c) => c.frames.length)),
      qualities,
      reference: options.reference.name,
    },
    trials: outcome.trials.map((t) => ({ params: t.params, bd_rate: t.score })),
    ...(reference === null
      ? {
          skipped: `the reference (${options.reference.name}) failed on the proxy, so there was nothing to tune against: the defaults stand`,
        }
      : {}),
  };
}
