/**
 * Prints how long `computeClipMetrics` takes on a 30-frame 320x240 clip.
 * Run: npx tsx bench/metrics.ts
 */
import { computeClipMetrics } from '../src/evaluation/metrics.js';

const width = 320;
const height = 240;
const frames = 30;

function clip(seed: number): Buffer[] {
  let s = seed;
  return Array.from({ length: frames }, () => {
    const frame = Buffer.alloc(width * height * 3);
    for (let i = 0; i < frame.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      frame[i] = (i % 251) ^ (s >>> 28);
    }
    return frame;
  });
}

const original = clip(1);
const decoded = clip(2);
for (let run = 1; run <= 5; run++) {
  const start = performance.now();
  const m = computeClipMetrics({
    width,
    height,
    fps: 30,
    original,
    decoded,
    frameBytes: original.map(() => 2000),
  });
  const ms = performance.now() - start;
  console.log(
    `run ${run}: ${ms.toFixed(1)} ms for ${frames} frames of ${width}x${height} (psnr_y ${m.psnr_y_db.toFixed(2)} dB, ssim_y ${m.ssim_y.toFixed(4)})`,
  );
}
