/**
 * What an evaluation returns (the `--json` shapes, snake_case) and what it is asked to do.
 * Types only, plus the default quality floor.
 */
import type { FailureCause } from './cause.js';
import type { EndedEarly } from './early-stages.js';
import type { ScreeningRecord } from './screening.js';
import type { Failure, Stage } from './failure.js';
import type { ClipMetrics, WorstBlockAt } from './metrics.js';
import type { TuneOptions, TuningRecord } from './tune-stage.js';
import type { CodecParams } from './tunables.js';

/** One quality point of one clip, as printed in `--json` (snake_case). */
export interface RdPointMetrics extends Omit<
  ClipMetrics,
  'per_frame_psnr_y_db' | 'per_frame_ssim_y'
> {
  readonly quality: number;
  readonly encode_fps: number;
  readonly decode_fps: number;
  readonly per_frame_psnr_y_db: readonly number[];
}

export interface ClipResult {
  readonly clip: string;
  readonly source: string;
  readonly width: number;
  readonly height: number;
  readonly frames: number;
  readonly fps: number;
  readonly points: readonly RdPointMetrics[];
}

/** Per quality, the mean over clips of each figure (BD-rate is also per clip, then averaged). */
export interface SummaryPoint {
  readonly quality: number;
  readonly bitrate_kbps: number;
  readonly bits_per_pixel: number;
  readonly psnr_y_db: number;
  readonly worst_psnr_y_db: number;
  /** The lowest 16×16-block luma PSNR over the clips at this quality (the minimum, not a mean). */
  readonly worst_block_psnr_y_db: number;
  /** Where it is: the clip, the frame index and the block's top-left pixel. */
  readonly worst_block: WorstBlockAt & { readonly clip: string };
  readonly psnr_yuv_db: number;
  readonly ssim_y: number;
  readonly encode_fps: number;
  readonly decode_fps: number;
}

export interface EvaluationMetrics {
  readonly points: readonly SummaryPoint[];
  readonly clips: readonly ClipResult[];
}

/**
 * Where an evaluation's time went, summed over its sandbox runs (runs may overlap when
 * concurrency > 1, so the sums can exceed the wall time).
 */
export interface EvaluationTimings {
  readonly runs: number;
  /** Waiting for a started container (the warm pool hides container start-up). */
  acquire_ms: number;
  /**
   * The codec's own time as the containers reported it (fork to exit of the harness's child):
   * advisory, bounded by the orchestrator's measurement of each run. No decision reads it.
   */
  codec_ms: number;
  /** Sandbox wall time (job sent to last result byte) minus the codec's reported time. */
  transfer_ms: number;
  /** Packing inputs and parsing results in the orchestrator. */
  tar_ms: number;
  /** Computing metrics from the decoded frames (mostly while later containers run). */
  metrics_ms: number;
  /**
   * Of the sweeps' wall time, the part spent on metrics after their last container returned
   * (metrics overlap the containers still running, sweep-stage.ts). Absent before any sweep.
   */
  metrics_wait_ms?: number;
}

export interface ValidationFinding {
  readonly category: string;
  readonly message: string;
  /** Null when the validator's claim did not fit the category (or predates causes). */
  readonly cause: FailureCause | null;
  readonly line: number | null;
  readonly excerpt: string;
}

export type EvaluationResult =
  | {
      readonly ok: true;
      readonly stage: 'done';
      readonly failure: null;
      readonly metrics: EvaluationMetrics;
      readonly imageId: string;
      readonly wallMs: number;
      readonly timings: EvaluationTimings;
      /** The smoke stage's behaviour (behaviour.ts). */
      readonly behaviourSha256?: string;
      /** The screening stage's record, when it ran and let the candidate through. */
      readonly screening?: ScreeningRecord;
      /** config['params'] of the sweep (absent when validation was skipped: the harness's defaults). */
      readonly params?: CodecParams;
      /** The tune stage's record, when it ran (§3.7). */
      readonly tuning?: TuningRecord;
    }
  | {
      readonly ok: false;
      readonly stage: Exclude<Stage, 'done' | 'duplicate_behaviour'>;
      readonly failure: Failure;
      /** Every validator finding, when validation failed. */
      readonly findings?: readonly ValidationFinding[];
      /** What the codec printed in the failing run (capped). */
      readonly log: string;
      readonly metrics: null;
      readonly imageId: string;
      readonly wallMs: number;
      readonly timings: EvaluationTimings;
      /** Set when the codec got past smoke. */
      readonly behaviourSha256?: string;
      readonly screening?: ScreeningRecord;
      readonly params?: CodecParams;
      readonly tuning?: TuningRecord;
    };

/** What a candidate's evaluation can end as: a result, or an early ending that is no failure. */
export type CandidateResult = EvaluationResult | EndedEarly;

/** Luma PSNR the best quality point must reach; below it a codec is broken, not just weak. */
export const DEFAULT_QUALITY_FLOOR_DB = 20;

export interface EvaluateOptions {
  readonly qualities: readonly number[];
  /** Minimum pooled luma PSNR at the highest quality point, per clip (default 20 dB). */
  readonly qualityFloorDb?: number;
  /** Skip static validation and go straight to the sandbox (tests of the container boundary). */
  readonly skipValidation?: boolean;
  /**
   * The batched sweep (default): one encoder container per clip, one decoder container per
   * quality. False runs the per-point protocol: one encoder and one decoder container per
   * (clip, quality).
   */
  readonly batching?: boolean;
  /**
   * config['params'] as given (`evaluate --params`): checked against the codec's TUNABLES after
   * validation (a bad value is a usage error naming it), the missing ones filled with defaults.
   * Given values are never tuned.
   */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Tune a codec with TUNABLES on a proxy before the sweep (§3.7); absent: no tuning. */
  readonly tune?: TuneOptions;
}

/** The isolation check's answer: every decisive decode reproduced, or the first that did not. */
export type IsolationOutcome =
  | { readonly ok: true; readonly decodes: number; readonly wallMs: number }
  | {
      readonly ok: false;
      readonly failure: Failure;
      readonly log: string;
      readonly decodes: number;
      readonly wallMs: number;
    };
