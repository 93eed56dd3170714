import { createHash } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { Clip } from './clip.js';
import type { Failure, Stage } from './failure.js';
import { computeClipMetrics, type ClipMetrics } from './metrics.js';
import type { SandboxRequest } from '../sandbox/sandbox.js';
import {
  MAX_MESSAGE_CHARS,
  capText,
  type CompletedRun,
  type FailedRun,
  countedBytes,
  decodeRequest,
  decodedFrames,
  encodeRequest,
  encodedFrames,
  firstDifference,
  interpretRun,
  validateRequest,
  type EncodedFrame,
} from './protocol.js';
import { smokeClip } from './smoke.js';
import { behaviourFingerprint } from './behaviour.js';
import {
  earlyStages,
  endedEarly,
  type EarlyStageOptions,
  type EndedEarly,
} from './early-stages.js';
import type { ScreeningRecord } from './screening.js';

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
  /** Computing metrics from the decoded frames. */
  metrics_ms: number;
}

export interface ValidationFinding {
  readonly category: string;
  readonly message: string;
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
}

/**
 * What the isolation check needs of one measured point: the exact bytes its decoder was given
 * and a digest of the frames it returned.
 */
interface DecodeEvidence {
  readonly clip: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly quality: number;
  readonly encoded: readonly EncodedFrame[];
  readonly decodedSha256: string;
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

type StageOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; failure: Failure; log: string; findings?: ValidationFinding[] };

/**
 * The evaluation cascade: validate → smoke (tiny clip, contract, determinism) → sweep (every
 * clip × quality, encoder and decoder in separate fresh containers) → metrics, computed here
 * from the counted bytes and the decoded frames. Each stage stops at the first failure.
 */
export class Evaluator {
  /** The decode evidence of each successful evaluation, for the isolation check. */
  private readonly evidence = new WeakMap<EvaluationResult, readonly DecodeEvidence[]>();

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
  evaluateCandidate(
    codec: Buffer,
    clips: readonly Clip[],
    options: EvaluateOptions,
    early: EarlyStageOptions,
  ): Promise<CandidateResult> {
    return new Evaluation(this.sandbox, this.log, this.concurrency, this.now, (result, points) =>
      this.evidence.set(result, points),
    ).run(codec, clips, options, early);
  }

  /**
   * The isolation check before an adoption (DESIGN.md §3): every decode of the given
   * evaluations (this evaluator's own, successful ones: the dev points the adoption rule
   * read, and the holdout) runs again with no other sandbox on the host running, from the
   * same counted bytes, and must return the same frames byte for byte. A decoder that read
   * anything besides its inputs (a channel to a concurrently running encoder, timing, host
   * state) cannot pass it, whatever the channel was.
   */
  async checkIsolation(
    codec: Buffer,
    results: readonly EvaluationResult[],
  ): Promise<IsolationOutcome> {
    const points = results.flatMap((result) => {
      const evidence = this.evidence.get(result);
      if (evidence === undefined) {
        throw new Error('checkIsolation takes successful evaluations made by this evaluator');
      }
      return evidence;
    });
    const started = this.now();
    return this.sandbox.alone(async (run) => {
      for (const [index, point] of points.entries()) {
        const request = decodeRequest(
          codec,
          { ...point, frameCount: point.encoded.length },
          point.quality,
          point.encoded,
          this.sandbox.limits,
        );
        const outcome = interpretRun(await run(request), this.sandbox.limits);
        const frames = outcome.ok ? decodedFrames(outcome.files, point.encoded.length) : null;
        const same = frames !== null && digest(frames) === point.decodedSha256;
        if (!same) {
          const what = outcome.ok
            ? 'returned different frames'
            : `failed (${outcome.failure.category}: ${outcome.failure.message})`;
          return {
            ok: false,
            failure: {
              category: 'nondeterministic',
              message: `decoding clip ${point.clip} at quality ${point.quality} again, with no other sandbox on the host running, ${what}: its output depended on something other than its counted bytes, so its measurement cannot be trusted`,
            },
            log: outcome.ok ? '' : outcome.log,
            decodes: index + 1,
            wallMs: this.now() - started,
          };
        }
      }
      return { ok: true, decodes: points.length, wallMs: this.now() - started };
    });
  }
}

function digest(frames: readonly Buffer[]): string {
  const hash = createHash('sha256');
  for (const frame of frames) hash.update(frame);
  return hash.digest('hex');
}

/** One evaluation in progress, with the timings it accumulates. */
class Evaluation {
  readonly timings: EvaluationTimings = {
    runs: 0,
    acquire_ms: 0,
    codec_ms: 0,
    transfer_ms: 0,
    tar_ms: 0,
    metrics_ms: 0,
  };

  private readonly points: DecodeEvidence[] = [];
  /** What the early stages learnt, recorded with whatever result follows. */
  private facts: { behaviourSha256?: string; screening?: ScreeningRecord } = {};

  constructor(
    private readonly sandbox: Sandbox,
    private readonly log: Logger,
    private readonly concurrency: number,
    private readonly now: () => number,
    private readonly keepEvidence: (
      result: EvaluationResult,
      points: readonly DecodeEvidence[],
    ) => void,
  ) {}

  private async runSandbox(request: SandboxRequest): Promise<CompletedRun | FailedRun> {
    const run = await this.sandbox.run(request);
    const outcome = interpretRun(run, this.sandbox.limits);
    const codecMs = outcome.ok ? outcome.reportedCodecMs : 0;
    const t = this.timings as { -readonly [K in keyof EvaluationTimings]: number };
    t.runs += 1;
    t.acquire_ms += run.acquireMs;
    t.codec_ms += codecMs;
    t.transfer_ms += Math.max(0, run.wallMs - codecMs);
    t.tar_ms += run.packMs + run.parseMs;
    return outcome;
  }

  async run(
    codec: Buffer,
    clips: readonly Clip[],
    options: EvaluateOptions,
    earlyOptions: EarlyStageOptions,
  ): Promise<CandidateResult> {
    const started = this.now();
    const imageId = this.sandbox.imageId;
    const fail = (
      stage: Exclude<Stage, 'done' | 'duplicate_behaviour'>,
      outcome: Extract<StageOutcome<unknown>, { ok: false }>,
    ): EvaluationResult => ({
      ok: false,
      stage,
      failure: outcome.failure,
      ...(outcome.findings ? { findings: outcome.findings } : {}),
      log: outcome.log,
      metrics: null,
      imageId,
      wallMs: this.now() - started,
      timings: this.timings,
      ...this.facts,
    });
    const first = clips[0];
    if (first === undefined) throw new Error('evaluate needs at least one clip');
    if (options.qualities.length === 0) throw new Error('evaluate needs at least one quality');

    if (!options.skipValidation) {
      const validation = await this.validate(codec);
      if (!validation.ok) return fail('validate', validation);
    }
    const middle = options.qualities[Math.floor(options.qualities.length / 2)] ?? 0.5;
    const smoke = await this.smoke(codec, smokeClip(first), middle);
    if (!smoke.ok) return fail('smoke', smoke);
    this.facts = { behaviourSha256: smoke.value };

    // Behavioural dedup, then screening (early-stages.ts): either may end the cascade here.
    const floorDb = options.qualityFloorDb ?? DEFAULT_QUALITY_FLOOR_DB;
    const early = await earlyStages({
      behaviourSha256: smoke.value,
      clips,
      options: earlyOptions,
      measure: (clip, qualities) => this.sweep(codec, [clip], qualities),
      floor: (measured) => qualityFloorFailure(measured, floorDb),
      screened: (screening) => (this.facts = { ...this.facts, screening }),
    });
    if (early.kind === 'failed') return fail('screen', { ok: false, ...early });
    if (early.kind === 'ended') {
      const facts = { imageId, wallMs: this.now() - started, timings: this.timings };
      return endedEarly(early.ending, { ...facts, behaviourSha256: smoke.value }, summarise);
    }

    const sweep = await this.sweep(codec, clips, options.qualities, early.measured);
    if (!sweep.ok) return fail('sweep', sweep);
    const floor = qualityFloorFailure(sweep.value, floorDb);
    if (floor) return fail('sweep', { ok: false, failure: floor, log: '' });
    const result: EvaluationResult = {
      ok: true,
      stage: 'done',
      failure: null,
      metrics: { points: summarise(sweep.value, options.qualities), clips: sweep.value },
      imageId,
      wallMs: this.now() - started,
      timings: this.timings,
      ...this.facts,
    };
    this.keepEvidence(result, this.points);
    return result;
  }

  private async validate(codec: Buffer): Promise<StageOutcome<null>> {
    const run = await this.runSandbox(validateRequest(codec, this.sandbox.limits));
    if (!run.ok) {
      // The validator itself died (e.g. the parser blew up on hostile input): the source is
      // unusable. Limits keep their category. (A container cannot report sandbox_error:
      // interpretRun decides infrastructure failures from what the orchestrator saw.)
      const kept = ['timeouts', 'memory_exceeded'];
      const category = kept.includes(run.failure.category) ? run.failure.category : 'syntax_errors';
      return {
        ok: false,
        failure: { ...run.failure, category, message: `validation failed: ${run.failure.message}` },
        log: '',
      };
    }
    const report = parseReport(run.files.get('run0/report.json'));
    if (report === null) {
      return {
        ok: false,
        failure: {
          category: 'sandbox_error',
          message: 'the validator returned no readable report',
        },
        log: '',
      };
    }
    const first = report.findings[0];
    if (report.ok) return { ok: true, value: null };
    if (first === undefined) {
      return {
        ok: false,
        failure: {
          category: 'sandbox_error',
          message: 'the validator refused the code without saying why',
        },
        log: '',
      };
    }
    const failure: Failure = {
      category: isValidationCategory(first.category) ? first.category : 'other',
      message: first.message,
      ...(first.line === null ? {} : { line: first.line }),
      ...(first.excerpt ? { excerpt: first.excerpt } : {}),
    };
    return { ok: false, failure, log: '', findings: report.findings };
  }

  /** Passes with the codec's behavioural fingerprint (behaviour.ts). */
  private async smoke(codec: Buffer, clip: Clip, quality: number): Promise<StageOutcome<string>> {
    // Two encodes in two fresh containers: a codec cannot replay the first run's output from
    // /tmp or shared memory, so equal bytes mean a deterministic encoder.
    const [first, second] = await mapLimited(
      [0, 1],
      this.concurrency,
      () => this.encode(codec, clip, quality),
      (outcome) => !outcome.ok,
    );
    if (first && !first.ok) return first;
    if (second && !second.ok) return second;
    if (!first || !second) throw new Error('smoke: an encode did not run');
    const difference = firstDifference(first.value.frames, second.value.frames);
    if (difference >= 0) {
      return {
        ok: false,
        failure: {
          category: 'nondeterministic',
          message: `encoding the same frames twice gave different bytes at frame ${difference}; make the encoder deterministic (no time, no unseeded randomness, no state outside config['state'])`,
        },
        log: '',
      };
    }
    const decoded = await this.decode(codec, clip, quality, first.value.frames);
    if (!decoded.ok) return decoded;
    const { name, width, height } = clip;
    const encoded = first.value.frames;
    const fingerprint = {
      clip: name,
      width,
      height,
      quality,
      encoded,
      decoded: decoded.value.frames,
    };
    return { ok: true, value: behaviourFingerprint(fingerprint) };
  }

  /** Every clip × quality, except the points in `measured` (screening's), which are merged in. */
  private async sweep(
    codec: Buffer,
    clips: readonly Clip[],
    qualities: readonly number[],
    measured: readonly ClipResult[] = [],
  ): Promise<StageOutcome<ClipResult[]>> {
    const known = (clip: Clip, quality: number): RdPointMetrics | undefined =>
      measured.find((c) => c.clip === clip.name)?.points.find((p) => p.quality === quality);
    const tasks = clips.flatMap((clip) =>
      qualities.filter((quality) => !known(clip, quality)).map((quality) => ({ clip, quality })),
    );
    const outcomes = await mapLimited(
      tasks,
      this.concurrency,
      async ({ clip, quality }) => this.measurePoint(codec, clip, quality),
      (outcome) => !outcome.ok,
    );
    const failure = outcomes.find((outcome) => outcome !== undefined && !outcome.ok);
    if (failure && !failure.ok) return failure;
    const results = clips.map((clip): ClipResult => ({
      clip: clip.name,
      source: clip.source,
      width: clip.width,
      height: clip.height,
      frames: clip.frames.length,
      fps: clip.fps,
      points: qualities.flatMap((quality) => {
        const index = tasks.findIndex((t) => t.clip === clip && t.quality === quality);
        const outcome = outcomes[index];
        const point = outcome?.ok === true ? outcome.value : known(clip, quality);
        return point === undefined ? [] : [point];
      }),
    }));
    return { ok: true, value: results };
  }

  private async measurePoint(
    codec: Buffer,
    clip: Clip,
    quality: number,
  ): Promise<StageOutcome<RdPointMetrics>> {
    const encoded = await this.encode(codec, clip, quality);
    if (!encoded.ok) return encoded;
    const frames = encoded.value.frames;
    const decoded = await this.decode(codec, clip, quality, frames);
    if (!decoded.ok) return decoded;
    const metricsStarted = this.now();
    const { per_frame_ssim_y: _ssim, ...metrics } = computeClipMetrics({
      width: clip.width,
      height: clip.height,
      fps: clip.fps,
      original: clip.frames,
      decoded: decoded.value.frames,
      frameBytes: frames.map(countedBytes),
    });
    (this.timings as { metrics_ms: number }).metrics_ms += this.now() - metricsStarted;
    this.points.push({
      clip: clip.name,
      width: clip.width,
      height: clip.height,
      fps: clip.fps,
      quality,
      encoded: frames,
      decodedSha256: digest(decoded.value.frames),
    });
    this.log.debug(
      { clip: clip.name, quality, psnr: metrics.psnr_y_db, kbps: metrics.bitrate_kbps },
      'point measured',
    );
    return {
      ok: true,
      value: {
        quality,
        ...metrics,
        encode_fps: clip.frames.length / Math.max(encoded.value.wallS, 1e-6),
        decode_fps: clip.frames.length / Math.max(decoded.value.wallS, 1e-6),
      },
    };
  }

  private async encode(
    codec: Buffer,
    clip: Clip,
    quality: number,
  ): Promise<StageOutcome<{ frames: EncodedFrame[]; wallS: number }>> {
    const limits = this.sandbox.limits;
    const run = await this.runSandbox(encodeRequest(codec, clip, quality, limits));
    if (!run.ok) return run;
    const frames = encodedFrames(run.files, clip.frames.length);
    if (frames === null) {
      return {
        ok: false,
        failure: { category: 'crashes', message: 'the encoder returned an incomplete bitstream' },
        log: '',
      };
    }
    const badMetadata = frames.findIndex((frame) => !isJsonObject(frame.metadata));
    if (badMetadata >= 0) {
      return {
        ok: false,
        failure: {
          category: 'return_format_error',
          message: `metadata of frame ${badMetadata} is not a JSON object`,
        },
        log: '',
      };
    }
    // Speed is the orchestrator's own measurement of the run, never the container's claim.
    return { ok: true, value: { frames, wallS: run.wallMs / 1000 } };
  }

  private async decode(
    codec: Buffer,
    clip: Clip,
    quality: number,
    encoded: readonly EncodedFrame[],
  ): Promise<StageOutcome<{ frames: Buffer[]; wallS: number }>> {
    const limits = this.sandbox.limits;
    const request = decodeRequest(
      codec,
      { ...clip, frameCount: clip.frames.length },
      quality,
      encoded,
      limits,
    );
    const run = await this.runSandbox(request);
    if (!run.ok) return run;
    const frames = decodedFrames(run.files, clip.frames.length);
    const size = clip.width * clip.height * 3;
    const wrong = frames?.findIndex((frame) => frame.length !== size) ?? 0;
    if (frames === null || wrong >= 0) {
      return {
        ok: false,
        failure: {
          category: 'decode_mismatch',
          message: `the decoder returned ${frames === null ? 'too few frames' : `frame ${wrong} with the wrong size`}; expected ${clip.frames.length} frames of ${clip.height}x${clip.width}x3 uint8`,
        },
        log: '',
      };
    }
    // Speed is the orchestrator's own measurement of the run, never the container's claim.
    return { ok: true, value: { frames, wallS: run.wallMs / 1000 } };
  }
}

/** The quality floor: at its best quality point, every clip must reach `floorDb`. */
export function qualityFloorFailure(clips: readonly ClipResult[], floorDb: number): Failure | null {
  for (const clip of clips) {
    const top = clip.points.reduce<RdPointMetrics | undefined>(
      (best, point) => (best === undefined || point.quality > best.quality ? point : best),
      undefined,
    );
    if (top !== undefined && top.psnr_y_db < floorDb) {
      return {
        category: 'quality_floor',
        message: `on clip ${clip.clip} the best quality point (quality ${top.quality}) reaches only ${top.psnr_y_db.toFixed(2)} dB luma PSNR; the floor is ${floorDb} dB: the decoder must reconstruct the frames, not approximate them`,
      };
    }
  }
  return null;
}

function isValidationCategory(
  value: string,
): value is 'syntax_errors' | 'forbidden_imports' | 'forbidden_calls' | 'missing_function' {
  return ['syntax_errors', 'forbidden_imports', 'forbidden_calls', 'missing_function'].includes(
    value,
  );
}

const MAX_FINDINGS = 200;
const MAX_EXCERPT_CHARS = 400;

function parseReport(
  data: Buffer | undefined,
): { ok: boolean; findings: ValidationFinding[] } | null {
  if (data === undefined) return null;
  try {
    const value = JSON.parse(data.toString('utf8')) as { ok?: unknown; findings?: unknown };
    if (typeof value.ok !== 'boolean' || !Array.isArray(value.findings)) return null;
    // The report comes out of a container: capped here whatever the validator did.
    const findings = (value.findings as Array<Record<string, unknown>>)
      .slice(0, MAX_FINDINGS)
      .map((item) => ({
        category: String(item.category),
        message: capText(String(item.message), MAX_MESSAGE_CHARS),
        line: typeof item.line === 'number' ? item.line : null,
        excerpt: typeof item.excerpt === 'string' ? capText(item.excerpt, MAX_EXCERPT_CHARS) : '',
      }));
    return { ok: value.ok, findings };
  } catch {
    return null;
  }
}

function isJsonObject(data: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(data.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function summarise(clips: readonly ClipResult[], qualities: readonly number[]): SummaryPoint[] {
  return qualities.map((quality) => {
    const points = clips
      .map((clip) => clip.points.find((point) => point.quality === quality))
      .filter((p) => p !== undefined);
    const mean = (pick: (point: RdPointMetrics) => number): number =>
      points.reduce((sum, point) => sum + pick(point), 0) / Math.max(points.length, 1);
    return {
      quality,
      bitrate_kbps: mean((p) => p.bitrate_kbps),
      bits_per_pixel: mean((p) => p.bits_per_pixel),
      psnr_y_db: mean((p) => p.psnr_y_db),
      worst_psnr_y_db: Math.min(...points.map((p) => p.worst_psnr_y_db)),
      psnr_yuv_db: mean((p) => p.psnr_yuv_db),
      ssim_y: mean((p) => p.ssim_y),
      encode_fps: mean((p) => p.encode_fps),
      decode_fps: mean((p) => p.decode_fps),
    };
  });
}

/**
 * Runs `work` over `items` with at most `limit` in flight, keeping order. Once a result
 * satisfies `stop`, no further item is started (those slots stay undefined).
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
  stop: (result: R) => boolean = () => false,
): Promise<Array<R | undefined>> {
  const results = new Array<R | undefined>(items.length).fill(undefined);
  let next = 0;
  let stopped = false;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !stopped) {
      const index = next++;
      const result = await work(items[index] as T);
      results[index] = result;
      if (stop(result)) stopped = true;
    }
  });
  await Promise.all(workers);
  return results;
}
