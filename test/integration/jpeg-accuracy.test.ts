import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Evaluator } from '../../src/evaluation/evaluator.js';
import type { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { BUILTIN_CLIP, JPEG_CODEC, builtinClip, openTestSandbox, silentLog } from './support.js';

/**
 * The same JPEG encode and the same PSNR, computed independently: plain numpy in a plain
 * `docker run` of the sandbox image (not the harness, not the TypeScript metrics), reading
 * the clip with OpenCV's own video reader.
 */
const INDEPENDENT = `
import cv2, json, sys, numpy as np
cap = cv2.VideoCapture('/clip.mkv')
frames = []
while len(frames) < 8:
    ok, frame = cap.read()
    if not ok: break
    frames.append(frame)
fps = cap.get(cv2.CAP_PROP_FPS)
out = {}
for q in (0.2, 0.5, 0.8):
    total, mses = 0, []
    for f in frames:
        ok, buf = cv2.imencode('.jpg', f, [cv2.IMWRITE_JPEG_QUALITY, int(5 + 90 * q)])
        total += len(buf) + len(b'{}')
        d = cv2.imdecode(buf, cv2.IMREAD_COLOR).astype(np.float64)
        o = f.astype(np.float64)
        y = lambda im: 0.299 * im[:, :, 2] + 0.587 * im[:, :, 1] + 0.114 * im[:, :, 0]
        mses.append(float(np.mean((y(o) - y(d)) ** 2)))
    out[str(q)] = {'kbps': total * 8 / (len(frames) / fps) / 1000, 'psnr': 10 * np.log10(255 ** 2 / np.mean(mses))}
print(json.dumps({'frames': len(frames), 'fps': fps, 'points': out}))
`;

describe('a plain JPEG-per-frame codec', () => {
  let sandbox: DockerSandbox;
  beforeAll(async () => {
    sandbox = await openTestSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('evaluates ok, and its bitrate and PSNR match an independent computation', async () => {
    const clip = await builtinClip(8);
    const evaluator = new Evaluator(sandbox, silentLog, 2);
    const result = await evaluator.evaluate(readFileSync(JPEG_CODEC), [clip], {
      qualities: [0.2, 0.5, 0.8],
    });
    if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.failure)}`);
    expect(result.stage).toBe('done');
    expect(result.imageId).toBe(sandbox.imageId);

    const independent = JSON.parse(
      execFileSync('docker', [
        'run',
        '--rm',
        '--network',
        'none',
        '-v',
        `${BUILTIN_CLIP}:/clip.mkv:ro`,
        sandbox.imageId,
        'python3',
        '-c',
        INDEPENDENT,
      ]).toString(),
    ) as { frames: number; fps: number; points: Record<string, { kbps: number; psnr: number }> };
    expect(independent.frames).toBe(8);
    expect(independent.fps).toBeCloseTo(clip.fps, 6);

    for (const point of result.metrics.points) {
      const reference = independent.points[String(point.quality)];
      if (!reference) throw new Error(`no independent point for quality ${point.quality}`);
      expect(Math.abs(point.bitrate_kbps / reference.kbps - 1)).toBeLessThan(0.005);
      expect(Math.abs(point.psnr_y_db - reference.psnr)).toBeLessThan(0.05);
    }
    // A real codec at these settings: more bits buy more quality, and nothing is capped.
    const [low, , high] = result.metrics.points;
    expect(high!.bitrate_kbps).toBeGreaterThan(low!.bitrate_kbps);
    expect(high!.psnr_y_db).toBeGreaterThan(low!.psnr_y_db + 2);
    expect(high!.psnr_y_db).toBeLessThan(60);
  });
});
