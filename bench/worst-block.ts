/**
 * npm run bench:worst-block — the figures behind the worst-block floor (docs/ARCHITECTURE.md §3):
 * on every clip of a set (default: the prepared dev and holdout sets), x264 and x265 at the
 * anchors' CRF sweep, each point's pooled luma PSNR, its worst 16×16 block and the gap between
 * them, and the floor the adoption rule would apply. Then what the worst-block computation adds
 * to the metrics' time on the first clip. No Docker (the JPEG anchor's figures come from
 * `codec-lab evaluate assets/anchors/jpeg_opencv.py --json`).
 *
 * `npm run bench:worst-block -- --clips DIR` reads one prepared clip set (a folder with a
 * manifest) instead.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_CRFS, decoderArgs, encoderArgs } from '../src/anchors/ffmpeg-anchor.js';
import { loadClipSet } from '../src/clips/clip-set.js';
import { loadConfig } from '../src/config.js';
import { DEFAULT_ADOPTION_POLICY } from '../src/evaluation/adoption.js';
import { BlockErrorCalculator } from '../src/evaluation/block-psnr.js';
import type { Clip } from '../src/evaluation/clip.js';
import { FfmpegClipReader, defaultFfmpegPath } from '../src/evaluation/ffmpeg-clip-reader.js';
import { bgrToYuv, computeClipMetrics, planeMse } from '../src/evaluation/metrics.js';
import { runProcess } from '../src/process-runner.js';
import { worstBlockFloorDb } from '../src/evaluation/worst-block.js';

const { values: flags } = parseArgs({ options: { clips: { type: 'string' } } });

async function decodedBy(
  ffmpeg: string,
  anchor: 'x264' | 'x265',
  clip: Clip,
  crf: number,
  dir: string,
): Promise<{ frames: Buffer[]; bytes: number }> {
  const stream = join(dir, `${clip.name}-${anchor}-${crf}.${anchor === 'x264' ? 'h264' : 'hevc'}`);
  const size = `${clip.width}x${clip.height}`;
  const args = [...encoderArgs(anchor, { size, fps: String(clip.fps), crf: String(crf) }), stream];
  const advice = { timeoutMs: 120_000, timeoutAdvice: '', unavailableAdvice: 'npm install' };
  await runProcess(ffmpeg, args, { ...advice, input: clip.frames, purpose: 'encoding' });
  const decoded = await runProcess(ffmpeg, decoderArgs(anchor, stream), {
    ...advice,
    purpose: 'decoding',
  });
  const frameSize = clip.width * clip.height * 3;
  const frames = clip.frames.map((_, i) =>
    decoded.stdout.subarray(i * frameSize, (i + 1) * frameSize),
  );
  return { frames, bytes: readFileSync(stream).length };
}

function timing(clip: Clip, decoded: readonly Buffer[]): void {
  const runs = 20;
  const lumas = clip.frames.map((frame, i) => ({
    ref: bgrToYuv(frame, clip.width, clip.height).y,
    out: bgrToYuv(decoded[i]!, clip.width, clip.height).y,
  }));
  const blocks = new BlockErrorCalculator(clip.width, clip.height);
  const time = (work: () => void): number => {
    work();
    const started = performance.now();
    for (let run = 0; run < runs; run++) work();
    return (performance.now() - started) / runs;
  };
  const mseOnly = time(() => lumas.forEach(({ ref, out }) => planeMse(ref, out)));
  const withBlocks = time(() => lumas.forEach(({ ref, out }) => blocks.measure(ref, out)));
  const whole = time(() =>
    computeClipMetrics({
      width: clip.width,
      height: clip.height,
      fps: clip.fps,
      original: clip.frames,
      decoded,
      frameBytes: clip.frames.map(() => 1000),
    }),
  );
  console.log(
    `timing on ${clip.name} (${clip.width}x${clip.height}, ${clip.frames.length} frames), mean of ${runs}: ` +
      `computeClipMetrics ${whole.toFixed(2)} ms per point; luma MSE alone ${mseOnly.toFixed(2)} ms, ` +
      `luma MSE + worst block ${withBlocks.toFixed(2)} ms: +${(withBlocks - mseOnly).toFixed(2)} ms ` +
      `(${(((withBlocks - mseOnly) / whole) * 100).toFixed(1)} % of the point's metrics)`,
  );
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const ffmpeg = config.ffmpegPath ?? defaultFfmpegPath();
  const reader = new FfmpegClipReader(ffmpeg);
  const sets =
    flags.clips === undefined
      ? [join(config.dataDir, 'clips', 'dev'), join(config.dataDir, 'clips', 'holdout')]
      : [flags.clips];
  const clips = (await Promise.all(sets.map((dir) => loadClipSet(dir, reader)))).flatMap(
    (set) => set.clips,
  );
  const dir = mkdtempSync(join(tmpdir(), 'codec-lab-bench-blocks-'));
  const policy = DEFAULT_ADOPTION_POLICY;
  console.log('anchor clip                 crf  psnr_y  worst_block  gap    floor  at');
  let smallestMargin = Number.POSITIVE_INFINITY;
  try {
    for (const anchor of ['x264', 'x265'] as const) {
      for (const clip of clips) {
        for (const crf of DEFAULT_CRFS) {
          const { frames, bytes } = await decodedBy(ffmpeg, anchor, clip, crf, dir);
          const m = computeClipMetrics({
            width: clip.width,
            height: clip.height,
            fps: clip.fps,
            original: clip.frames,
            decoded: frames,
            frameBytes: clip.frames.map((_, i) => (i === 0 ? bytes : 0)),
          });
          const floor = worstBlockFloorDb(m.psnr_y_db, policy.worstBlock);
          smallestMargin = Math.min(smallestMargin, m.worst_block_psnr_y_db - floor);
          const at = `frame ${m.worst_block.frame} block (${m.worst_block.x},${m.worst_block.y})`;
          console.log(
            `${anchor.padEnd(6)} ${clip.name.padEnd(20)} ${String(crf).padStart(3)}  ${m.psnr_y_db.toFixed(2).padStart(6)}  ` +
              `${m.worst_block_psnr_y_db.toFixed(2).padStart(11)}  ${(m.psnr_y_db - m.worst_block_psnr_y_db).toFixed(2).padStart(5)}  ` +
              `${floor.toFixed(2).padStart(5)}  ${at}`,
          );
        }
      }
    }
    console.log(
      `smallest margin above the floor: ${smallestMargin.toFixed(2)} dB (negative = refused)`,
    );
    const first = clips[0];
    if (first !== undefined) {
      const { frames } = await decodedBy(ffmpeg, 'x264', first, 30, dir);
      timing(first, frames);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
