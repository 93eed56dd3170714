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
 *
 * A point's metrics are computed as soon as its decoder container has returned, one point per
 * turn of the event loop, so they overlap the next container (which runs on another core) instead
 * of following the last one.
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
  const metrics = new MetricsQueue(calls, settings);
  const swept = settings.batching
    ? await batchedSweep(calls, codec, tasks, settings.concurrency, metrics)
    : await perPointSweep(calls, codec, tasks, settings.concurrency, metrics);
  if (!swept.ok) return swept;
  const { measured, evidence } = swept.value;
  const lastContainerDone = settings.now();
  const results: ClipResult[] = [];
  for (const clip of clips) {
    const points: RdPointMetrics[] = [];
    for (const quality of qualities) {
      const before = known(clip, quality);
      const point = measured.find((m) => m.clip === clip && m.quality === quality);
      if (before === undefined && point === undefined)
        throw new Error(`sweep: ${clip.name} at ${quality} not measured`);
      points.push(before ?? (await metrics.of(point as Measured)));
    }
    results.push({
      clip: clip.name,
      source: clip.source,
      width: clip.width,
      height: clip.height,
      frames: clip.frames.length,
      fps: clip.fps,
      points,
    });
  }
  const t = calls.timings as { metrics_wait_ms?: number };
  t.metrics_wait_ms = (t.metrics_wait_ms ?? 0) + (settings.now() - lastContainerDone);
  return { ok: true, value: { clips: results, evidence } };
}

/**
 * Metrics of decoded points, queued as their containers return and computed one per macrotask
 * (setImmediate), so the event loop keeps serving the next container between two points.
 */
class MetricsQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly pending = new Map<Measured, Promise<RdPointMetrics>>();

  constructor(
    private readonly calls: SandboxCalls,
    private readonly settings: SweepSettings,
  ) {}

  add(point: Measured): void {
    const result = this.tail.then(
      () =>
        new Promise<RdPointMetrics>((resolve, reject) =>
          setImmediate(() => {
            try {
              resolve(metricsOf(this.calls, point, this.settings));
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          }),
        ),
    );
    // A sweep that fails later never awaits its queued points: their errors must not go unhandled.
    result.catch(() => undefined);
    this.tail = result.catch(() => undefined);
    this.pending.set(point, result);
  }

  of(point: Measured): Promise<RdPointMetrics> {
    const result = this.pending.get(point);
    if (result === undefined) throw new Error('sweep: a measured point has no metrics queued');
    return result;
  }
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
  metrics: MetricsQueue,
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
      const ev = {
        inputs: [input],
        decodedSha256: [decodedDigest(frames.frames)],
        params: calls.params,
      };
      const point = { clip, quality, encoded: output, decoded: frames };
      metrics.add(point);
      return { ok: true, value: { point, ev } };
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
  metrics: MetricsQueue,
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
  const measured: Measured[] = [];
  const decodes = await mapLimited(
    plan,
    concurrency,
    async ({ group, inputs }) => {
      const outcome = await calls.decode(codec, inputs);
      if (!outcome.ok) return outcome;
      const points = group.map((task, index): Measured => {
        const decoded = outcome.value[index];
        if (decoded === undefined) throw new Error('sweep: a decoder run is missing');
        return { clip: task.clip, quality: task.quality, encoded: at(task), decoded };
      });
      for (const point of points) metrics.add(point);
      return { ok: true as const, value: { outputs: outcome.value, points } };
    },
    (outcome) => !outcome.ok,
  );
  const evidence: DecoderEvidence[] = [];
  for (const [g, outcome] of decodes.entries()) {
    if (outcome !== undefined && !outcome.ok) return outcome;
    const { inputs } = plan[g] ?? {};
    if (outcome === undefined || inputs === undefined)
      throw new Error('sweep: a decoder container did not run');
    evidence.push({
      inputs,
      decodedSha256: outcome.value.outputs.map((output) => decodedDigest(output.frames)),
      params: calls.params,
    });
    measured.push(...outcome.value.points);
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
