/**
 * The evaluator's calls into the sandbox: one container per request (per-point or batched),
 * its outcome interpreted, its time added to the evaluation's timings, and a failure attributed
 * to the (clip, quality) whose run it happened in.
 */
import type { Sandbox, SandboxRequest } from '../sandbox/sandbox.js';
import { decodeBatchRequest, encodeBatchRequest, splitWallMs } from './batch-protocol.js';
import type { DecodeInput } from './batch-protocol.js';
import type { Clip } from './clip.js';
import { cause, type FailureCause } from './cause.js';
import type { Failure } from './failure.js';
import {
  decodeRequest,
  decodedFrames,
  encodeRequest,
  encodedFrames,
  interpretRun,
  type CompletedRun,
  type EncodedFrame,
  type FailedRun,
} from './protocol.js';
import type { EvaluationTimings, ValidationFinding } from './results.js';
import type { CodecParams } from './tunables.js';

export type StageOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; failure: Failure; log: string; findings?: ValidationFinding[] };

export type StageFailure = Extract<StageOutcome<unknown>, { ok: false }>;

/** One point's output, with the orchestrator's share of its container's time. */
export interface RunOutput<T> {
  readonly frames: T[];
  readonly wallS: number;
}

interface Point {
  readonly clip: string;
  readonly quality: number;
}

export function emptyTimings(): EvaluationTimings {
  return { runs: 0, acquire_ms: 0, codec_ms: 0, transfer_ms: 0, tar_ms: 0, metrics_ms: 0 };
}

/** A per-point request for one run (exactly the per-point protocol), a batched one for more. */
export function encodeRequestFor(
  codec: Buffer,
  clip: Clip,
  qualities: readonly number[],
  sandbox: Sandbox,
  params: CodecParams | null = null,
): SandboxRequest {
  const [only] = qualities;
  return qualities.length === 1 && only !== undefined
    ? encodeRequest(codec, clip, only, sandbox.limits, params)
    : encodeBatchRequest(codec, clip, qualities, sandbox.limits, params);
}

export function decodeRequestFor(
  codec: Buffer,
  inputs: readonly DecodeInput[],
  sandbox: Sandbox,
  params: CodecParams | null = null,
): SandboxRequest {
  const [only] = inputs;
  return inputs.length === 1 && only !== undefined
    ? decodeRequest(codec, only, only.quality, only.encoded, sandbox.limits, params)
    : decodeBatchRequest(codec, inputs, sandbox.limits, params);
}

/** The run's outcome, or a failure naming the point it belongs to (when known). */
function attributed(run: FailedRun, points: readonly Point[]): StageFailure {
  const point = points.length === 1 ? points[0] : points[run.runIndex ?? -1];
  return {
    ok: false,
    failure: point === undefined ? run.failure : { ...run.failure, point },
    log: run.log,
  };
}

function failure(
  category: Failure['category'],
  message: string,
  why: FailureCause,
  point?: Point,
): StageFailure {
  return {
    ok: false,
    failure: { category, message, cause: why, ...(point ? { point } : {}) },
    log: '',
  };
}

export class SandboxCalls {
  /** `params`: config['params'] of every encode and decode (null: the harness's defaults). */
  constructor(
    private readonly sandbox: Sandbox,
    readonly params: CodecParams | null = null,
    readonly timings: EvaluationTimings = emptyTimings(),
  ) {}

  /** The same sandbox and timings, another config['params']. */
  withParams(params: CodecParams | null): SandboxCalls {
    return new SandboxCalls(this.sandbox, params, this.timings);
  }

  /** One container: its outcome, its time counted. */
  async run(request: SandboxRequest): Promise<CompletedRun | FailedRun> {
    const run = await this.sandbox.run(request);
    const outcome = interpretRun(run, this.sandbox.limits, request.timeoutMs);
    const codecMs = outcome.ok ? outcome.reportedCodecMs : 0;
    const t = this.timings as { -readonly [K in keyof EvaluationTimings]: number };
    t.runs += 1;
    // A container still starting its harness when its job was sent is waited for, not transfer.
    const readyWaitMs = run.readyWaitMs ?? 0;
    t.acquire_ms += run.acquireMs + readyWaitMs;
    t.codec_ms += codecMs;
    t.transfer_ms += Math.max(0, run.wallMs - readyWaitMs - codecMs);
    t.tar_ms += run.packMs + run.parseMs;
    return outcome;
  }

  /** A container of `points.length` runs: every run reported, or the failure attributed. */
  private async runAll(
    request: SandboxRequest,
    points: readonly Point[],
  ): Promise<StageOutcome<{ run: CompletedRun; wallS: number[] }>> {
    const run = await this.run(request);
    if (!run.ok) return attributed(run, points);
    if (run.runs.length !== points.length) {
      return failure(
        'crashes',
        `the harness reported ${run.runs.length} of the ${points.length} runs of its job`,
        cause('incomplete_output', { runs: run.runs.length, expected: points.length }),
      );
    }
    const wallMs = splitWallMs(
      run.wallMs,
      run.runs.map((entry) => entry.wall_s),
    );
    return { ok: true, value: { run, wallS: wallMs.map((ms) => ms / 1000) } };
  }

  /** Every quality of `clip` in one encoder container (one per-point container for one). */
  async encode(
    codec: Buffer,
    clip: Clip,
    qualities: readonly number[],
  ): Promise<StageOutcome<RunOutput<EncodedFrame>[]>> {
    const points = qualities.map((quality) => ({ clip: clip.name, quality }));
    const done = await this.runAll(
      encodeRequestFor(codec, clip, qualities, this.sandbox, this.params),
      points,
    );
    if (!done.ok) return done;
    const outputs: RunOutput<EncodedFrame>[] = [];
    for (const [index, point] of points.entries()) {
      const frames = encodedFrames(done.value.run.files, clip.frames.length, index);
      if (frames === null) {
        return failure(
          'crashes',
          'the encoder returned an incomplete bitstream',
          cause('incomplete_output', { run: 'encode' }),
          point,
        );
      }
      const badMetadata = frames.findIndex((frame) => !isJsonObject(frame.metadata));
      if (badMetadata >= 0) {
        return failure(
          'return_format_error',
          `metadata of frame ${badMetadata} is not a JSON object`,
          cause('metadata_not_object', { frame: badMetadata }),
          point,
        );
      }
      // Speed is the orchestrator's own measurement of the run, never the container's claim.
      outputs.push({ frames, wallS: done.value.wallS[index] ?? 0 });
    }
    return { ok: true, value: outputs };
  }

  /** Every input in one decoder container (the plan keeps to one quality per container). */
  async decode(
    codec: Buffer,
    inputs: readonly (DecodeInput & { readonly clip: string })[],
  ): Promise<StageOutcome<RunOutput<Buffer>[]>> {
    const points = inputs.map((input) => ({ clip: input.clip, quality: input.quality }));
    const done = await this.runAll(
      decodeRequestFor(codec, inputs, this.sandbox, this.params),
      points,
    );
    if (!done.ok) return done;
    const outputs: RunOutput<Buffer>[] = [];
    for (const [index, input] of inputs.entries()) {
      const frames = checkedFrames(done.value.run.files, input, index);
      if (!Array.isArray(frames)) {
        return failure('decode_mismatch', frames.message, frames.cause, points[index]);
      }
      outputs.push({ frames, wallS: done.value.wallS[index] ?? 0 });
    }
    return { ok: true, value: outputs };
  }
}

/** Run `index`'s decoded frames, or why they are not what the contract asks for. */
export function checkedFrames(
  files: ReadonlyMap<string, Buffer>,
  input: DecodeInput,
  index: number,
): Buffer[] | { readonly message: string; readonly cause: FailureCause } {
  const frames = decodedFrames(files, input.frameCount, index);
  const size = input.width * input.height * 3;
  const wrong = frames?.findIndex((frame) => frame.length !== size) ?? 0;
  if (frames !== null && wrong < 0) return frames;
  return {
    message: `the decoder returned ${frames === null ? 'too few frames' : `frame ${wrong} with the wrong size`}; expected ${input.frameCount} frames of ${input.height}x${input.width}x3 uint8`,
    cause: cause(
      'decoded_frames',
      frames === null ? { problem: 'too_few' } : { problem: 'size', frame: wrong },
    ),
  };
}

function isJsonObject(data: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(data.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
