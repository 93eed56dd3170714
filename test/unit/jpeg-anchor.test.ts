import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { settingsHash } from '../../src/anchors/anchor-cache.js';
import {
  DEFAULT_JPEG_QUALITIES,
  JPEG_ANCHOR_CODEC,
  JpegAnchor,
} from '../../src/anchors/jpeg-anchor.js';
import type { Clip } from '../../src/evaluation/clip.js';
import type {
  EvaluateOptions,
  EvaluationResult,
  EvaluationTimings,
  RdPointMetrics,
} from '../../src/evaluation/evaluator.js';

const IMAGE = 'sha256:image';
const TIMINGS: EvaluationTimings = {
  runs: 0,
  acquire_ms: 0,
  codec_ms: 0,
  transfer_ms: 0,
  tar_ms: 0,
  metrics_ms: 0,
};

const clip = (name: string): Clip => ({
  name,
  width: 4,
  height: 2,
  fps: 10,
  frames: [Buffer.alloc(24, 7)],
  source: `/clips/${name}.mkv`,
});

function point(quality: number): RdPointMetrics {
  return {
    quality,
    frames: 1,
    width: 4,
    height: 2,
    fps: 10,
    total_bytes: 100 + 100 * quality,
    bitrate_kbps: 8 + 8 * quality,
    bits_per_pixel: 100 * quality,
    psnr_y_db: 30 + 10 * quality,
    worst_psnr_y_db: 29 + 10 * quality,
    worst_block_psnr_y_db: 25 + 10 * quality,
    worst_block: { frame: 0, x: 0, y: 0 },
    psnr_u_db: 40,
    psnr_v_db: 40,
    psnr_yuv_db: 31 + 10 * quality,
    ssim_y: quality / 2,
    per_frame_psnr_y_db: [30 + 10 * quality],
    encode_fps: 100,
    decode_fps: 200,
  };
}

/** Stands in for the Evaluator: records what it was asked and answers like a good codec. */
class FakeEvaluator {
  readonly calls: Array<{ codec: string; clips: string[]; options: EvaluateOptions }> = [];
  constructor(private readonly answer?: (clips: readonly Clip[]) => EvaluationResult) {}

  evaluate(codec: Buffer, clips: readonly Clip[], options: EvaluateOptions) {
    this.calls.push({ codec: codec.toString(), clips: clips.map((c) => c.name), options });
    const result: EvaluationResult = this.answer?.(clips) ?? {
      ok: true,
      stage: 'done',
      failure: null,
      imageId: IMAGE,
      wallMs: 5,
      timings: TIMINGS,
      metrics: {
        points: [],
        clips: clips.map((c) => ({
          clip: c.name,
          source: c.source,
          width: c.width,
          height: c.height,
          frames: c.frames.length,
          fps: c.fps,
          points: options.qualities.map(point),
        })),
      },
    };
    return Promise.resolve(result);
  }
}

describe('JpegAnchor', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the OpenCV JPEG codec file through the evaluator at five qualities', async () => {
    const evaluator = new FakeEvaluator();
    const anchor = new JpegAnchor(evaluator, { imageId: IMAGE });
    const measured = await anchor.measure([clip('a'), clip('b')]);
    expect(evaluator.calls).toHaveLength(1);
    expect(evaluator.calls[0]!.codec).toBe(readFileSync(JPEG_ANCHOR_CODEC, 'utf8'));
    expect(evaluator.calls[0]!.codec).toContain('int(5 + 90 * quality)');
    expect(evaluator.calls[0]!.clips).toEqual(['a', 'b']);
    expect(evaluator.calls[0]!.options.qualities).toEqual([0.1, 0.3, 0.5, 0.7, 0.9]);
    expect(measured).toHaveLength(2);
    expect(measured[1]!.map((p) => p.quality)).toEqual(DEFAULT_JPEG_QUALITIES);
    expect(measured[0]![2]).toEqual({
      quality: 0.5,
      total_bytes: 150,
      bitrate_kbps: 12,
      bits_per_pixel: 50,
      psnr_y_db: 35,
      worst_psnr_y_db: 34,
      psnr_yuv_db: 36,
      ssim_y: 0.25,
    });
    expect(await anchor.measure([])).toEqual([]);
    expect(evaluator.calls).toHaveLength(1);
  });

  it('keys its settings on the codec file content and the sandbox image', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'codec-lab-jpeg-anchor-'));
    dirs.push(dir);
    const codecPath = path.join(dir, 'jpeg.py');
    writeFileSync(codecPath, '# version 1\n');
    const evaluator = new FakeEvaluator();
    const one = await new JpegAnchor(evaluator, { imageId: IMAGE, codecPath }).settings();
    expect(one).toMatchObject({ anchor: 'jpeg', levels: DEFAULT_JPEG_QUALITIES });
    expect(one.details.sandbox_image).toBe(IMAGE);
    writeFileSync(codecPath, '# version 2\n');
    const edited = await new JpegAnchor(evaluator, { imageId: IMAGE, codecPath }).settings();
    const otherImage = await new JpegAnchor(evaluator, {
      imageId: 'sha256:other',
      codecPath,
    }).settings();
    const hashes = new Set([one, edited, otherImage].map(settingsHash));
    expect(hashes.size).toBe(3);
  });

  it('throws when the known-good codec fails, saying where', async () => {
    const evaluator = new FakeEvaluator(() => ({
      ok: false,
      stage: 'smoke',
      failure: {
        category: 'timeouts',
        message: 'the encoder ran past 5 s',
        cause: { key: 'limit:timeout', subject: {} },
      },
      log: '',
      metrics: null,
      imageId: IMAGE,
      wallMs: 5000,
      timings: TIMINGS,
    }));
    const error = await new JpegAnchor(evaluator, { imageId: IMAGE })
      .measure([clip('a')])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AnchorError', code: 'JPEG_ANCHOR_FAILED' });
    expect((error as Error).message).toContain(
      'failed at smoke: timeouts: the encoder ran past 5 s',
    );
  });

  it('throws when the evaluator ran another image than the cache key says', async () => {
    const evaluator = new FakeEvaluator();
    await expect(
      new JpegAnchor(evaluator, { imageId: 'sha256:stale' }).measure([clip('a')]),
    ).rejects.toThrow(/ran in image sha256:image, not sha256:stale/);
  });

  it('refuses bad qualities and a missing codec file', async () => {
    const evaluator = new FakeEvaluator();
    expect(() => new JpegAnchor(evaluator, { imageId: IMAGE, qualities: [0.5, 1.5] })).toThrow(
      /\[0, 1\]/,
    );
    await expect(
      new JpegAnchor(evaluator, { imageId: IMAGE, codecPath: '/no/such/codec.py' }).settings(),
    ).rejects.toMatchObject({ code: 'JPEG_ANCHOR_FAILED' });
  });
});
