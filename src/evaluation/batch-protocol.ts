/**
 * Batched jobs of the harness protocol: one container runs several runs of one role, each in
 * its own fresh child with its own deadline and caps, its outputs under run<N>/ (the harness's
 * `run_jobs`). Pure: no Docker, no files. The per-point requests are in protocol.ts.
 */
import type { SandboxFile, SandboxLimits, SandboxRequest } from '../sandbox/sandbox.js';
import type { Clip } from './clip.js';
import {
  LOG_ALLOWANCE_BYTES,
  PROTOCOL_VERSION,
  RESULT_OVERHEAD_BYTES,
  maxFrameBytes,
  paramsField,
  type EncodedFrame,
} from './protocol.js';
import type { CodecParams } from './tunables.js';

/** One run of a decoder batch: a clip's geometry and the bitstreams of one of its encodes. */
export interface DecodeInput {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frameCount: number;
  readonly quality: number;
  readonly encoded: readonly EncodedFrame[];
}

function batchJob(
  mode: 'encode' | 'decode',
  limits: SandboxLimits,
  runs: unknown[],
  params: CodecParams | null,
): SandboxFile {
  // Every run inherits the job's fields, so `params` at the top reaches each run's codec.
  const job = {
    protocol: PROTOCOL_VERSION,
    mode,
    threads: Math.max(1, Math.floor(limits.cpus)),
    ...paramsField(params),
    runs,
  };
  return { name: 'job.json', data: Buffer.from(JSON.stringify(job)) };
}

/**
 * The caps of a container that runs `runs` runs: each run keeps the per-run deadline (the
 * harness applies it from the run's own fork), so the orchestrator's deadline is their sum.
 */
function scaled(limits: SandboxLimits, runs: number, resultBytes: number): SandboxRequest {
  return {
    files: [],
    maxOutputBytes: resultBytes + runs * LOG_ALLOWANCE_BYTES,
    timeoutMs: limits.timeoutMs * runs,
  };
}

/** One encoder container for one clip: every quality, each in a fresh child, one frames.bgr. */
export function encodeBatchRequest(
  codec: Buffer,
  clip: Clip,
  qualities: readonly number[],
  limits: SandboxLimits,
  params: CodecParams | null = null,
): SandboxRequest {
  const perFrame = maxFrameBytes(clip.width, clip.height);
  const perRun = clip.frames.length * 2 * perFrame + RESULT_OVERHEAD_BYTES;
  const runs = qualities.map((quality) => ({
    width: clip.width,
    height: clip.height,
    fps: clip.fps,
    quality,
    frames: clip.frames.length,
    deadline_s: limits.timeoutMs / 1000,
    max_bitstream_bytes: perFrame,
    max_result_bytes: perRun,
    inputs: '',
  }));
  return {
    ...scaled(limits, runs.length, perRun * runs.length),
    files: [
      batchJob('encode', limits, runs, params),
      { name: 'codec.py', data: codec },
      { name: 'frames.bgr', data: Buffer.concat(clip.frames) },
    ],
  };
}

/**
 * One decoder container for one quality: every clip's bitstreams at that quality, run <N>'s
 * under in<N>/enc/. Never the frames, and never another quality (the caller's plan).
 */
export function decodeBatchRequest(
  codec: Buffer,
  inputs: readonly DecodeInput[],
  limits: SandboxLimits,
  params: CodecParams | null = null,
): SandboxRequest {
  const files: SandboxFile[] = [{ name: 'codec.py', data: codec }];
  let total = 0;
  const runs = inputs.map((input, number) => {
    const perRun =
      input.frameCount * (input.width * input.height * 3 + 1024) + RESULT_OVERHEAD_BYTES;
    total += perRun;
    input.encoded.forEach((frame, index) => {
      const stem = `in${number}/enc/${String(index).padStart(6, '0')}`;
      files.push(
        { name: `${stem}.bin`, data: frame.compressed },
        { name: `${stem}.json`, data: frame.metadata },
      );
    });
    return {
      width: input.width,
      height: input.height,
      fps: input.fps,
      quality: input.quality,
      frames: input.frameCount,
      deadline_s: limits.timeoutMs / 1000,
      max_result_bytes: perRun,
      inputs: `in${number}/`,
    };
  });
  return {
    ...scaled(limits, runs.length, total),
    files: [batchJob('decode', limits, runs, params), ...files],
  };
}

/**
 * Per-point speed from one container's time: the orchestrator's measured wall time of the
 * container, split across its runs in proportion to the times the harness reported for them
 * (advisory: a forged figure moves time only between runs of the same container, never adds
 * any). Evenly when the reports say nothing usable.
 */
export function splitWallMs(wallMs: number, reportedS: readonly number[]): number[] {
  const usable = reportedS.map((s) => (Number.isFinite(s) && s > 0 ? s : 0));
  const sum = usable.reduce((a, b) => a + b, 0);
  if (sum <= 0) return reportedS.map(() => wallMs / Math.max(reportedS.length, 1));
  return usable.map((s) => (wallMs * s) / sum);
}

/** What a decoder of `clip` at `quality` is given: geometry and bitstreams, never the frames. */
export function decodeInputOf(
  clip: Clip,
  quality: number,
  encoded: readonly EncodedFrame[],
): DecodeInput & { readonly clip: string } {
  const { name, width, height, fps } = clip;
  return { clip: name, width, height, fps, frameCount: clip.frames.length, quality, encoded };
}
