/**
 * The sweep: every clip × quality encoded and decoded in sandboxes, metrics computed here from
 * the counted bytes and the decoded frames.
 *
 * Batched (default): one encoder container per clip runs every quality, each in a fresh child;
 * then one decoder container per quality runs every clip at that quality. Two qualities of one
 * clip never share a decoder container. Per-point: one encoder and one decoder container per
 * (clip, quality). Both give the same bytes, frames and metrics; only speed figures differ.
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
): Promise<StageOutcome<SweepValue>> {
  const swept = settings.batching
    ? await batchedSweep(calls, codec, clips, qualities, settings.concurrency)
    : await perPointSweep(calls, codec, clips, qualities, settings.concurrency);
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
      const point = measured.find((m) => m.clip === clip && m.quality === quality);
      if (point === undefined) throw new Error(`sweep: ${clip.name} at ${quality} not measured`);
      return metricsOf(calls, point, settings);
    }),
  }));
  return { ok: true, value: { clips: results, evidence } };
}

type Swept = StageOutcome<{ measured: Measured[]; evidence: DecoderEvidence[] }>;

async function perPointSweep(
  calls: SandboxCalls,
  codec: Buffer,
  clips: readonly Clip[],
  qualities: readonly number[],
  concurrency: number,
): Promise<Swept> {
  const tasks = clips.flatMap((clip) => qualities.map((quality) => ({ clip, quality })));
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
  clips: readonly Clip[],
  qualities: readonly number[],
  concurrency: number,
): Promise<Swept> {
  const encodes = await mapLimited(
    clips,
    concurrency,
    (clip) => calls.encode(codec, clip, qualities),
    (outcome) => !outcome.ok,
  );
  const encoded: RunOutput<EncodedFrame>[][] = [];
  for (const outcome of encodes) {
    if (outcome !== undefined && !outcome.ok) return outcome;
    if (outcome === undefined) throw new Error('sweep: an encoder container did not run');
    encoded.push(outcome.value);
  }
  const at = (clip: number, quality: number): RunOutput<EncodedFrame> => {
    const output = encoded[clip]?.[quality];
    if (output === undefined) throw new Error('sweep: an encoder run is missing');
    return output;
  };
  const plan = qualities.map((quality, q) =>
    clips.map((clip, c) => decodeInputOf(clip, quality, at(c, q).frames)),
  );
  const decodes = await mapLimited(
    plan,
    concurrency,
    (inputs) => calls.decode(codec, inputs),
    (outcome) => !outcome.ok,
  );
  const measured: Measured[] = [];
  const evidence: DecoderEvidence[] = [];
  for (const [q, outcome] of decodes.entries()) {
    if (outcome !== undefined && !outcome.ok) return outcome;
    const inputs = plan[q];
    const quality = qualities[q];
    if (outcome === undefined || inputs === undefined || quality === undefined)
      throw new Error('sweep: a decoder container did not run');
    evidence.push({
      inputs,
      decodedSha256: outcome.value.map((output) => decodedDigest(output.frames)),
    });
    for (const [c, clip] of clips.entries()) {
      const decoded = outcome.value[c];
      if (decoded === undefined) throw new Error('sweep: a decoder run is missing');
      measured.push({ clip, quality, encoded: at(c, q), decoded });
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
