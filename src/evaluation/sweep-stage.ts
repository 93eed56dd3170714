/**
 * The sweep: every clip × quality encoded and decoded in sandboxes, metrics computed here from
 * the counted bytes and the decoded frames.
 *
 * Batched (default): one encoder container per clip runs every quality, each in a fresh child;
 * then one decoder container per quality runs every clip at that quality. Two qualities of one
 * clip never share a decoder container. Per-point: one encoder and one decoder container per
 * (clip, quality). Both give the same bytes, frames and metrics; only speed figures differ.
 *
 * Points already measured (the screening stage's, early-stages.ts) are not measured again: an
 * encoder container runs the qualities its clip still lacks, a decoder container the clips its
 * quality still lacks.
 */
import type { Logger } from '../logger.js';
import { decodeInputOf } from './batch-protocol.js';
import type { Clip } from './clip.js';
import { decodedDigest } from './decode-digest.js';
import type { DecoderEvidence } from './isolation.js';
import { mapLimited } from './map-limited.js';
import { computeClipMetrics } from './metrics.js';
import { countedBytes, type EncodedFrame } from './protocol.js';
import type { ClipResult, RdPointMetrics } from './results.js';
import type { RunOutput, SandboxCalls, StageOutcome } from './sandbox-calls.js';

export interface SweepSettings {
  readonly concurrency: number;
  readonly batching: boolean;
  readonly now: () => number;
  readonly log: Logger;
}

export interface SweepValue {
  readonly clips: ClipResult[];
  /** Every decoder container's inputs and outputs, for the isolation check. */
  readonly evidence: DecoderEvidence[];
}

interface Measured {
  readonly clip: Clip;
  readonly quality: number;
  readonly encoded: RunOutput<EncodedFrame>;
  readonly decoded: RunOutput<Buffer>;
}

export async function sweepStage(
  calls: SandboxCalls,
  codec: Buffer,
  clips: readonly Clip[],
  qualities: readonly number[],
  settings: SweepSettings,
  measuredBefore: readonly ClipResult[] = [],
): Promise<StageOutcome<SweepValue>> {
  const known = (clip: Clip, quality: number): RdPointMetrics | undefined =>
    measuredBefore.find((c) => c.clip === clip.name)?.points.find((p) => p.quality === quality);
  const tasks = clips.flatMap((clip) =>
    qualities.filter((quality) => !known(clip, quality)).map((quality) => ({ clip, quality })),
  );
  const swept = settings.batching
    ? await batchedSweep(calls, codec, tasks, settings.concurrency)
    : await perPointSweep(calls, codec, tasks, settings.concurrency);
  if (!swept.ok) return swept;
  const { measured, evidence } = swept.value;
  const results = clips.map((clip): ClipResult => ({
    clip: clip.name,
    source: clip.source,
    width: clip.width,
    height: clip.height,
    frames: clip.frames.length,
    fps: clip.fps,
    points: qualities.map((quality) => {
      const before = known(clip, quality);
      if (before !== undefined) return before;
      const point = measured.find((m) => m.clip === clip && m.quality === quality);
      if (point === undefined) throw new Error(`sweep: ${clip.name} at ${quality} not measured`);
      return metricsOf(calls, point, settings);
    }),
  }));
  return { ok: true, value: { clips: results, evidence } };
}

type Swept = StageOutcome<{ measured: Measured[]; evidence: DecoderEvidence[] }>;

interface Task {
  readonly clip: Clip;
  readonly quality: number;
}

/** The distinct values of `key` over `tasks`, in order of first appearance. */
function distinct<T>(tasks: readonly Task[], key: (task: Task) => T): T[] {
  return [...new Set(tasks.map(key))];
}

async function perPointSweep(
  calls: SandboxCalls,
  codec: Buffer,
  tasks: readonly Task[],
  concurrency: number,
): Promise<Swept> {
  const outcomes = await mapLimited(
    tasks,
    concurrency,
    async ({ clip, quality }): Promise<StageOutcome<{ point: Measured; ev: DecoderEvidence }>> => {
      const encoded = await calls.encode(codec, clip, [quality]);
      if (!encoded.ok) return encoded;
      const [output] = encoded.value;
      if (output === undefined) throw new Error('sweep: the encoder returned no run');
      const input = decodeInputOf(clip, quality, output.frames);
      const decoded = await calls.decode(codec, [input]);
      if (!decoded.ok) return decoded;
      const [frames] = decoded.value;
      if (frames === undefined) throw new Error('sweep: the decoder returned no run');
      const ev = { inputs: [input], decodedSha256: [decodedDigest(frames.frames)] };
      return {
        ok: true,
        value: { point: { clip, quality, encoded: output, decoded: frames }, ev },
      };
    },
    (outcome) => !outcome.ok,
  );
  const measured: Measured[] = [];
  const evidence: DecoderEvidence[] = [];
  for (const outcome of outcomes) {
    if (outcome === undefined) continue;
    if (!outcome.ok) return outcome;
    measured.push(outcome.value.point);
    evidence.push(outcome.value.ev);
  }
  return { ok: true, value: { measured, evidence } };
}

async function batchedSweep(
  calls: SandboxCalls,
  codec: Buffer,
  tasks: readonly Task[],
  concurrency: number,
): Promise<Swept> {
  // One encoder container per clip, running the qualities that clip still needs.
  const clips = distinct(tasks, (task) => task.clip);
  const qualitiesOf = (clip: Clip) => tasks.filter((t) => t.clip === clip).map((t) => t.quality);
  const encodes = await mapLimited(
    clips,
    concurrency,
    (clip) => calls.encode(codec, clip, qualitiesOf(clip)),
    (outcome) => !outcome.ok,
  );
  const encoded = new Map<Task, RunOutput<EncodedFrame>>();
  for (const [c, outcome] of encodes.entries()) {
    if (outcome !== undefined && !outcome.ok) return outcome;
    const clip = clips[c];
    if (outcome === undefined || clip === undefined)
      throw new Error('sweep: an encoder container did not run');
    for (const [q, quality] of qualitiesOf(clip).entries()) {
      const output = outcome.value[q];
      const task = tasks.find((t) => t.clip === clip && t.quality === quality);
      if (output === undefined || task === undefined)
        throw new Error('sweep: an encoder run is missing');
      encoded.set(task, output);
    }
  }
  const at = (task: Task): RunOutput<EncodedFrame> => {
    const output = encoded.get(task);
    if (output === undefined) throw new Error('sweep: an encoder run is missing');
    return output;
  };
  // One decoder container per quality, running the clips that quality still needs.
  const plan = distinct(tasks, (task) => task.quality).map((quality) => {
    const group = tasks.filter((task) => task.quality === quality);
    const inputs = group.map((task) => decodeInputOf(task.clip, task.quality, at(task).frames));
    return { group, inputs };
  });
  const decodes = await mapLimited(
    plan,
    concurrency,
    ({ inputs }) => calls.decode(codec, inputs),
    (outcome) => !outcome.ok,
  );
  const measured: Measured[] = [];
  const evidence: DecoderEvidence[] = [];
  for (const [g, outcome] of decodes.entries()) {
    if (outcome !== undefined && !outcome.ok) return outcome;
    const { group, inputs } = plan[g] ?? {};
    if (outcome === undefined || group === undefined || inputs === undefined)
      throw new Error('sweep: a decoder container did not run');
    evidence.push({
      inputs,
      decodedSha256: outcome.value.map((output) => decodedDigest(output.frames)),
    });
    for (const [index, task] of group.entries()) {
      const decoded = outcome.value[index];
      if (decoded === undefined) throw new Error('sweep: a decoder run is missing');
      measured.push({ clip: task.clip, quality: task.quality, encoded: at(task), decoded });
    }
  }
  return { ok: true, value: { measured, evidence } };
}

function metricsOf(calls: SandboxCalls, point: Measured, settings: SweepSettings): RdPointMetrics {
  const { clip, quality, encoded, decoded } = point;
  const started = settings.now();
  const { per_frame_ssim_y: _ssim, ...metrics } = computeClipMetrics({
    width: clip.width,
    height: clip.height,
    fps: clip.fps,
    original: clip.frames,
    decoded: decoded.frames,
    frameBytes: encoded.frames.map(countedBytes),
  });
  (calls.timings as { metrics_ms: number }).metrics_ms += settings.now() - started;
  settings.log.debug(
    { clip: clip.name, quality, psnr: metrics.psnr_y_db, kbps: metrics.bitrate_kbps },
    'point measured',
  );
  return {
    quality,
    ...metrics,
    encode_fps: clip.frames.length / Math.max(encoded.wallS, 1e-6),
    decode_fps: clip.frames.length / Math.max(decoded.wallS, 1e-6),
  };
}
