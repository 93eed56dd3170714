/**
 * The orchestrator's side of the harness protocol (sandbox-image/harness/harness.py): what a
 * job's tar holds, and what a finished sandbox run means. Pure: no Docker, no files.
 */
import { z } from 'zod';
import type { SandboxFile, SandboxLimits, SandboxRequest, SandboxRun } from '../sandbox/sandbox.js';
import type { Clip } from './clip.js';
import { acceptCause, cause, type FailureCause } from './cause.js';
import { isFailureCategory, type Failure, type FailureCategory } from './failure.js';
import type { CodecParams } from './tunables.js';

export const PROTOCOL_VERSION = 1;
/**
 * Caps applied here, whatever the harness claims to have capped: what a codec printed, and the
 * message and traceback of its failure, as stored and shown.
 */
export const MAX_LOG_CHARS = 64 * 1024;
export const MAX_MESSAGE_CHARS = 4_000;
export const MAX_TRACEBACK_CHARS = 8_000;
export const RESULT_OVERHEAD_BYTES = 1024 * 1024;
/** Room per run for its log and failure record in result.json. */
export const LOG_ALLOWANCE_BYTES = 256 * 1024;

/** What one frame's encoder produced: the bitstream and the exact metadata JSON bytes. */
export interface EncodedFrame {
  readonly compressed: Buffer;
  readonly metadata: Buffer;
}

/** Bits counted for a frame: everything that reaches the decoder. */
export function countedBytes(frame: EncodedFrame): number {
  return frame.compressed.length + frame.metadata.length;
}

/** The largest bitstream (or metadata JSON) one frame may produce: 4× raw plus 64 KiB. */
export function maxFrameBytes(width: number, height: number): number {
  return 4 * width * height * 3 + 64 * 1024;
}

interface Geometry {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

function jobFile(job: Record<string, unknown>): SandboxFile {
  return {
    name: 'job.json',
    data: Buffer.from(JSON.stringify({ protocol: PROTOCOL_VERSION, ...job })),
  };
}

/**
 * The job's `params` (config['params'] in the codec), checked against the spec by the caller.
 * Absent when null: the harness then gives the codec its TUNABLES defaults.
 */
export function paramsField(params: CodecParams | null): { params?: CodecParams } {
  return params === null ? {} : { params };
}

function deadlineS(limits: SandboxLimits): number {
  return limits.timeoutMs / 1000;
}

export function validateRequest(codec: Buffer, limits: SandboxLimits): SandboxRequest {
  return {
    files: [
      jobFile({
        mode: 'validate',
        deadline_s: deadlineS(limits),
        max_result_bytes: RESULT_OVERHEAD_BYTES,
      }),
      { name: 'codec.py', data: codec },
    ],
    maxOutputBytes: RESULT_OVERHEAD_BYTES + LOG_ALLOWANCE_BYTES,
  };
}

export function encodeRequest(
  codec: Buffer,
  clip: Clip,
  quality: number,
  limits: SandboxLimits,
  params: CodecParams | null = null,
): SandboxRequest {
  const perFrame = maxFrameBytes(clip.width, clip.height);
  const perRun = clip.frames.length * 2 * perFrame + RESULT_OVERHEAD_BYTES;
  return {
    files: [
      jobFile({
        mode: 'encode',
        ...geometry(clip),
        quality,
        frames: clip.frames.length,
        deadline_s: deadlineS(limits),
        threads: Math.max(1, Math.floor(limits.cpus)),
        max_bitstream_bytes: perFrame,
        max_result_bytes: perRun,
        ...paramsField(params),
      }),
      { name: 'codec.py', data: codec },
      { name: 'frames.bgr', data: Buffer.concat(clip.frames) },
    ],
    maxOutputBytes: perRun + LOG_ALLOWANCE_BYTES,
  };
}

/** The decoder's container gets the codec, the geometry and the bitstreams: never the frames. */
export function decodeRequest(
  codec: Buffer,
  clip: Geometry & { readonly frameCount: number },
  quality: number,
  encoded: readonly EncodedFrame[],
  limits: SandboxLimits,
  params: CodecParams | null = null,
): SandboxRequest {
  const frameBytes = clip.width * clip.height * 3;
  const perRun = clip.frameCount * (frameBytes + 1024) + RESULT_OVERHEAD_BYTES;
  const files: SandboxFile[] = [
    jobFile({
      mode: 'decode',
      ...geometry(clip),
      quality,
      frames: clip.frameCount,
      deadline_s: deadlineS(limits),
      threads: Math.max(1, Math.floor(limits.cpus)),
      max_result_bytes: perRun,
      ...paramsField(params),
    }),
    { name: 'codec.py', data: codec },
  ];
  encoded.forEach((frame, index) => {
    const stem = `enc/${String(index).padStart(6, '0')}`;
    files.push(
      { name: `${stem}.bin`, data: frame.compressed },
      { name: `${stem}.json`, data: frame.metadata },
    );
  });
  return { files, maxOutputBytes: perRun + LOG_ALLOWANCE_BYTES };
}

function geometry(clip: Geometry): Geometry {
  return { width: clip.width, height: clip.height, fps: clip.fps };
}

const runSchema = z.object({
  failure: z
    .object({
      category: z.string(),
      message: z.string(),
      // Checked by acceptCause once the orchestrator has decided the category.
      cause: z.unknown().optional(),
      traceback: z.string().optional(),
    })
    .nullable(),
  wall_s: z.number().nonnegative(),
  log: z.string(),
  log_truncated: z.boolean(),
});

const resultSchema = z.object({
  protocol: z.literal(PROTOCOL_VERSION),
  mode: z.enum(['validate', 'encode', 'decode']),
  python: z.string(),
  runs: z.array(runSchema).min(1),
});

export type HarnessRun = z.infer<typeof runSchema>;

/** A sandbox run that completed its job, with the files it returned. */
export interface CompletedRun {
  readonly ok: true;
  readonly runs: readonly HarnessRun[];
  readonly files: ReadonlyMap<string, Buffer>;
  readonly python: string;
  /**
   * The run's time as the orchestrator measured it (job sent to the last result byte): the
   * one every speed figure is computed from.
   */
  readonly wallMs: number;
  /**
   * The codec's own time as the container reported it: advisory only (a codec can forge it),
   * and never more than `wallMs`.
   */
  readonly reportedCodecMs: number;
}

export interface FailedRun {
  readonly ok: false;
  readonly failure: Failure;
  /** What the codec printed, when the harness got that far. */
  readonly log: string;
  /** Which run of the job failed, when the harness said so; absent for the container's own. */
  readonly runIndex?: number;
}

/**
 * Decides what a finished sandbox run means. The order matters: the orchestrator's own
 * observations (deadline, OOM, flood) outrank anything the container said.
 */
export function interpretRun(
  run: SandboxRun,
  limits: SandboxLimits,
  timeoutMs: number = limits.timeoutMs,
): CompletedRun | FailedRun {
  const stderr = run.stderr.trim().slice(-2000);
  const withHarnessLog = (message: string): string =>
    stderr ? `${message}\nharness said:\n${stderr}` : message;
  if (run.timedOut) {
    return failed(
      'timeouts',
      `the sandbox run passed its deadline of ${timeoutMs / 1000} s and was killed`,
      cause('limit:timeout', { deadline_s: timeoutMs / 1000, observed: 'orchestrator' }),
    );
  }
  if (run.outputOverflow) {
    return failed(
      'output_flood',
      'the sandbox wrote more output than the job allows and was killed',
      cause('output_flood', { observed: 'orchestrator' }),
    );
  }
  const result = run.output.ok ? parseResult(run.output.files.get('result.json')) : null;
  if (result === null || !run.output.ok) {
    if (run.oomKilled) {
      return failed(
        'memory_exceeded',
        `the sandbox exceeded its memory limit of ${limits.memoryLimitMb} MB`,
        cause('limit:memory', { detected: 'container_oom', limit_mb: limits.memoryLimitMb }),
      );
    }
    const why = run.output.ok ? 'no readable result.json' : run.output.reason;
    return failed(
      'crashes',
      withHarnessLog(
        `the sandbox exited with code ${run.exitCode ?? 'unknown'} without a valid result (${why}); the codec may have killed the harness`,
      ),
      cause('no_result', run.exitCode === null ? {} : { exit_code: run.exitCode }),
    );
  }
  const failingIndex = result.runs.findIndex((entry) => entry.failure !== null);
  const failing = result.runs[failingIndex];
  if (failing?.failure) {
    const claimed = failing.failure;
    const traceback =
      claimed.traceback === undefined ? undefined : capText(claimed.traceback, MAX_TRACEBACK_CHARS);
    const oom = run.oomKilled && claimed.category === 'crashes';
    const failure: Failure = {
      ...containerCategory(claimed.category, claimed.message, claimed.cause),
      ...(oom
        ? {
            category: 'memory_exceeded' as const,
            message: capText(
              `${claimed.message} (the container hit its memory limit)`,
              MAX_MESSAGE_CHARS,
            ),
            cause: cause('limit:memory', { detected: 'container_oom' }),
          }
        : {}),
      ...(traceback === undefined ? {} : { traceback }),
      ...lineOf(traceback),
    };
    return { ok: false, failure, log: capText(failing.log, MAX_LOG_CHARS), runIndex: failingIndex };
  }
  const reportedMs = result.runs.reduce((sum, entry) => sum + entry.wall_s * 1000, 0);
  return {
    ok: true,
    runs: result.runs.map((entry) => ({ ...entry, log: capText(entry.log, MAX_LOG_CHARS) })),
    files: run.output.files,
    python: result.python,
    wallMs: run.wallMs,
    reportedCodecMs: Math.min(reportedMs, run.wallMs),
  };
}

/**
 * The category a container reported, as far as the orchestrator accepts it. Infrastructure
 * failures (docs/ARCHITECTURE.md §4: `sandbox_error`) are decided only by the orchestrator from what it
 * observed itself, so a container claiming one (a codec forging its way to an excuse) gets
 * the codec's category `crashes`; an unknown category is `other`. The claimed cause is kept
 * only when it fits the category decided here.
 */
function containerCategory(
  category: string,
  message: string,
  claimedCause: unknown,
): { category: FailureCategory; message: string; cause: FailureCause | null } {
  if (category === 'sandbox_error') {
    return {
      category: 'crashes',
      message: capText(
        `the container reported an infrastructure failure, which only the orchestrator decides (it saw none): ${message}`,
        MAX_MESSAGE_CHARS,
      ),
      cause: cause('claimed_infrastructure'),
    };
  }
  if (!isFailureCategory(category)) {
    return {
      category: 'other',
      message: capText(message, MAX_MESSAGE_CHARS),
      cause: cause('unknown_category', { claimed: category.slice(0, 64) }),
    };
  }
  return {
    category,
    message: capText(message, MAX_MESSAGE_CHARS),
    cause: acceptCause(claimedCause, category),
  };
}

/** At most `max` characters, saying how much was cut. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [${text.length - max} more characters cut]`;
}

function failed(category: Failure['category'], message: string, why: FailureCause): FailedRun {
  return { ok: false, failure: { category, message, cause: why }, log: '' };
}

function parseResult(data: Buffer | undefined): z.infer<typeof resultSchema> | null {
  if (data === undefined) return null;
  try {
    const parsed = resultSchema.safeParse(JSON.parse(data.toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The last `File "codec.py", line N` of a traceback: where in the codec it failed. */
function lineOf(traceback: string | undefined): { line?: number } {
  if (traceback === undefined) return {};
  const matches = [...traceback.matchAll(/File "codec\.py", line (\d+)/g)];
  const last = matches.at(-1)?.[1];
  return last === undefined ? {} : { line: Number(last) };
}

/** The frames of an encode job, in order; null when any is missing. */
export function encodedFrames(
  files: ReadonlyMap<string, Buffer>,
  count: number,
  run = 0,
): EncodedFrame[] | null {
  const frames: EncodedFrame[] = [];
  for (let index = 0; index < count; index++) {
    const stem = `run${run}/${String(index).padStart(6, '0')}`;
    const compressed = files.get(`${stem}.bin`);
    const metadata = files.get(`${stem}.json`);
    if (compressed === undefined || metadata === undefined) return null;
    frames.push({ compressed, metadata });
  }
  return frames;
}

/** The decoded frames of a decode job, in order; null when any is missing. */
export function decodedFrames(
  files: ReadonlyMap<string, Buffer>,
  count: number,
  run = 0,
): Buffer[] | null {
  const frames: Buffer[] = [];
  for (let index = 0; index < count; index++) {
    const frame = files.get(`run${run}/frame${String(index).padStart(6, '0')}.bgr`);
    if (frame === undefined) return null;
    frames.push(frame);
  }
  return frames;
}

/** Index of the first frame whose bytes differ between two encodes, or -1. */
export function firstDifference(a: readonly EncodedFrame[], b: readonly EncodedFrame[]): number {
  const count = Math.max(a.length, b.length);
  for (let index = 0; index < count; index++) {
    const left = a[index];
    const right = b[index];
    if (
      !left ||
      !right ||
      !left.compressed.equals(right.compressed) ||
      !left.metadata.equals(right.metadata)
    ) {
      return index;
    }
  }
  return -1;
}
