/**
 * Issue 13, hostile: a decoder that caches the frames it decoded and replays them at another
 * quality gains nothing under the batched protocol, because a decoder container serves one
 * quality and each run is a fresh child. Even a decoder container holding two qualities of one
 * clip (which the plan never builds) gives the replay nothing since the harness clears /tmp and
 * stray processes between runs; batch-replay-leftovers.test.ts shows, as the positive control,
 * that the same /tmp channel does carry frames within one run, so these tests could fail.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBatchRequest, decodeInputOf } from '../../src/evaluation/batch-protocol.js';
import type { Clip } from '../../src/evaluation/clip.js';
import { Evaluator, type RdPointMetrics } from '../../src/evaluation/evaluator.js';
import { computeClipMetrics } from '../../src/evaluation/metrics.js';
import {
  decodedFrames,
  encodedFrames,
  encodeRequest,
  interpretRun,
} from '../../src/evaluation/protocol.js';
import type { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { ROOT, TEST_LIMITS, builtinClip, openTestSandbox, silentLog } from './support.js';

const CODEC = readFileSync(`${ROOT}test/fixtures/channels/replay_decoder.py`);
const QUALITIES = [0.1, 0.3, 0.5, 0.7, 0.9];

describe('a decoder that replays frames it decoded at another quality', () => {
  let sandbox: DockerSandbox;
  let clip: Clip;
  let greyPsnr: number;
  beforeAll(async () => {
    sandbox = await openTestSandbox({ ...TEST_LIMITS, timeoutMs: 20_000 });
    clip = await builtinClip(4);
    const grey = Buffer.alloc(clip.width * clip.height * 3, 128);
    greyPsnr = computeClipMetrics({
      width: clip.width,
      height: clip.height,
      fps: clip.fps,
      original: clip.frames,
      decoded: clip.frames.map(() => grey),
      frameBytes: clip.frames.map(() => 2),
    }).psnr_y_db;
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('gains nothing even when two qualities of one clip share a decoder container (rule broken on purpose)', async () => {
    const high = interpretRun(
      await sandbox.run(encodeRequest(CODEC, clip, 0.9, sandbox.limits)),
      sandbox.limits,
    );
    const low = interpretRun(
      await sandbox.run(encodeRequest(CODEC, clip, 0.1, sandbox.limits)),
      sandbox.limits,
    );
    if (!high.ok || !low.ok) throw new Error('the encodes failed');
    const bits = (files: ReadonlyMap<string, Buffer>) => {
      const frames = encodedFrames(files, clip.frames.length);
      if (frames === null) throw new Error('incomplete bitstream');
      return frames;
    };
    const request = decodeBatchRequest(
      CODEC,
      [decodeInputOf(clip, 0.9, bits(high.files)), decodeInputOf(clip, 0.1, bits(low.files))],
      sandbox.limits,
    );
    const run = interpretRun(await sandbox.run(request), sandbox.limits, request.timeoutMs);
    if (!run.ok) throw new Error(`the decode failed: ${run.failure.message}`);
    const replayed = decodedFrames(run.files, clip.frames.length, 1);
    // The low-quality run, given zero bytes, returned mid-grey: the harness cleared /tmp between
    // the runs (before it did, this run returned the original frames).
    const grey = Buffer.alloc(clip.width * clip.height * 3, 128);
    expect(replayed?.length).toBe(clip.frames.length);
    expect(replayed?.every((frame) => frame.equals(grey))).toBe(true);
  }, 120_000);

  for (const batching of [true, false]) {
    it(`gains nothing in an evaluation (${batching ? 'batched' : 'per-point'})`, async () => {
      const result = await new Evaluator(sandbox, silentLog, 2).evaluate(CODEC, [clip], {
        qualities: QUALITIES,
        skipValidation: true,
        batching,
      });
      if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.failure)}`);
      const points = result.metrics.clips[0]?.points ?? [];
      const at = (quality: number): RdPointMetrics | undefined =>
        points.find((point) => point.quality === quality);
      for (const quality of [0.1, 0.3, 0.5]) {
        // Zero bits and mid-grey frames, exactly as if no cache existed.
        expect(at(quality)?.psnr_y_db).toBeCloseTo(greyPsnr, 9);
        expect(at(quality)?.psnr_y_db).toBeLessThan(20);
      }
      for (const quality of [0.7, 0.9]) expect(at(quality)?.psnr_y_db).toBe(100);
    }, 300_000);
  }
});
