/** The ffmpeg anchors against the real bundled ffmpeg on a tiny clip, and against fake ones. */
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { settingsHash } from '../../src/anchors/anchor-cache.js';
import {
  DEFAULT_CRFS,
  FfmpegAnchor,
  VPX_AOM_CRFS,
  decoderArgs,
  distributeBytes,
  encoderArgs,
} from '../../src/anchors/ffmpeg-anchor.js';
import { ivfPayloads } from '../../src/anchors/ivf.js';
import type { Clip } from '../../src/evaluation/clip.js';
import { ffmpeg, tempDir } from './ffmpeg-fixtures.js';

const W = 64;
const H = 48;
const FRAMES = 6;

let dir: string;
let remove: () => void;
let clip: Clip;

beforeAll(() => {
  ({ dir, remove } = tempDir('ffmpeg-anchor'));
  const raw = ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${W}x${H}:rate=10`,
    '-frames:v',
    String(FRAMES),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'bgr24',
    'pipe:1',
  ]).stdout;
  const size = W * H * 3;
  clip = {
    name: 'testsrc2',
    width: W,
    height: H,
    fps: 10,
    frames: Array.from({ length: FRAMES }, (_, i) => raw.subarray(i * size, (i + 1) * size)),
    source: 'lavfi:testsrc2',
  };
});
afterAll(() => remove());

/** A shell script standing in for ffmpeg: answers the probes, then does `body` for real work. */
function fakeFfmpeg(name: string, options: { encoders: string; body?: string }): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    `#!/bin/sh
case "$2" in
  -version) echo "ffmpeg version fake-1 Copyright (c) nobody"; exit 0;;
  -encoders) printf '%s\\n' "${options.encoders}"; exit 0;;
  -bsfs) printf 'Bitstream filters:\\nfilter_units\\nnull\\n'; exit 0;;
esac
${options.body ?? 'exit 0'}
`,
  );
  chmodSync(file, 0o755);
  return file;
}

describe('FfmpegAnchor with the bundled ffmpeg', () => {
  it.each(['x264', 'x265'] as const)(
    '%s: measures a point deterministically, and lower CRF costs bits and buys PSNR',
    async (anchor) => {
      const ffmpegAnchor = new FfmpegAnchor({ tempDir: dir });
      const first = await ffmpegAnchor.measurePoint(clip, anchor, 30);
      const again = await ffmpegAnchor.measurePoint(clip, anchor, 30);
      expect(again).toEqual(first);
      expect(first.crf).toBe(30);
      expect(first.total_bytes).toBeGreaterThan(100);
      expect(first.bitrate_kbps).toBeCloseTo((first.total_bytes * 8) / (FRAMES / 10) / 1000, 9);
      expect(first.psnr_y_db).toBeGreaterThan(20);
      expect(first.psnr_y_db).toBeLessThan(60);
      const better = await ffmpegAnchor.measurePoint(clip, anchor, 18);
      expect(better.total_bytes).toBeGreaterThan(first.total_bytes);
      expect(better.psnr_y_db).toBeGreaterThan(first.psnr_y_db + 2);
    },
  );

  it('describes its settings with the ffmpeg version and the exact arguments', async () => {
    const settings = await new FfmpegAnchor().settings('x265');
    expect(settings.anchor).toBe('x265');
    expect(settings.levels).toEqual(DEFAULT_CRFS);
    expect(settings.details.ffmpeg).toMatch(/^ffmpeg version \S+$/);
    expect(settings.details.encoder_args).toEqual(
      encoderArgs('x265', { size: '{W}x{H}', fps: '{FPS}', crf: '{CRF}' }),
    );
    expect(settings.details.decoder_args).toEqual(decoderArgs('x265', '{STREAM}'));
  });

  it.each([
    ['vp9', 'libvpx-vp9', 'good/cpu-used=2'],
    ['av1', 'libaom-av1', 'cpu-used=6'],
  ] as const)(
    '%s: counts the IVF frame payloads, decodes them back, and lower CRF buys PSNR',
    async (anchor, encoder, preset) => {
      const ffmpegAnchor = new FfmpegAnchor({ tempDir: dir });
      const settings = await ffmpegAnchor.settings(anchor);
      expect(settings.levels).toEqual(VPX_AOM_CRFS);
      expect(settings.details).toMatchObject({ encoder, preset, counted: 'ivf frame payloads' });
      const first = await ffmpegAnchor.measurePoint(clip, anchor, 63);
      expect(await ffmpegAnchor.measurePoint(clip, anchor, 63)).toEqual(first);
      // The same encode through plain ffmpeg: the payloads are the file less IVF's 32-byte
      // header and 12 bytes per IVF frame.
      const args = encoderArgs(anchor, { size: `${W}x${H}`, fps: '10', crf: '63' });
      const file = ffmpeg([...args.slice(0, -1), 'pipe:1'], Buffer.concat(clip.frames)).stdout;
      const payloads = ivfPayloads(file, anchor === 'vp9' ? 'VP90' : 'AV01', 'test');
      expect(first.total_bytes).toBe(payloads.payloadBytes);
      expect(first.total_bytes).toBe(file.length - 32 - 12 * payloads.frameBytes.length);
      expect(first.psnr_y_db).toBeGreaterThan(20);
      const better = await ffmpegAnchor.measurePoint(clip, anchor, 28);
      expect(better.total_bytes).toBeGreaterThan(first.total_bytes);
      expect(better.psnr_y_db).toBeGreaterThan(first.psnr_y_db + 2);
    },
  );

  it('records the x264/x265 preset in the settings, so the cache key differs by preset', async () => {
    const medium = await new FfmpegAnchor().settings('x264');
    const slow = await new FfmpegAnchor({ preset: 'slow' }).settings('x264');
    expect(medium.details.preset).toBe('medium');
    expect(slow.details.preset).toBe('slow');
    expect(slow.details.encoder_args).toContain('slow');
    expect(settingsHash(slow)).not.toBe(settingsHash(medium));
    // VP9 and AV1 have one speed setting: the x264/x265 preset leaves their key alone.
    expect(await new FfmpegAnchor({ preset: 'slow' }).settings('av1')).toEqual(
      await new FfmpegAnchor().settings('av1'),
    );
  });
});

describe('encoder and decoder arguments', () => {
  it('pin threads, preset, CRF and 4:2:0, and write the elementary stream only', () => {
    const x264 = encoderArgs('x264', { size: '160x120', fps: '10', crf: '24' }).join(' ');
    expect(x264).toContain('-f rawvideo -pix_fmt bgr24 -s 160x120 -r 10 -i pipe:0');
    expect(x264).toContain('-c:v libx264 -preset medium -crf 24 -pix_fmt yuv420p -threads 1');
    expect(x264).toMatch(/-f h264 -y$/);
    const x265 = encoderArgs('x265', { size: '160x120', fps: '10', crf: '24' }).join(' ');
    expect(x265).toContain('-c:v libx265 -preset medium -crf 24 -pix_fmt yuv420p');
    expect(x265).toContain('-x265-params log-level=error:pools=1:frame-threads=1');
    expect(x265).toMatch(/-f hevc -y$/);
    expect(decoderArgs('x265', 's.hevc').join(' ')).toContain('-threads 1 -f hevc -i s.hevc');
  });

  it('choose the x264/x265 preset, and give VP9 and AV1 their fixed speed and constant quality', () => {
    const slow = encoderArgs('x265', { size: '160x120', fps: '10', crf: '24', preset: 'slow' });
    expect(slow.join(' ')).toContain('-c:v libx265 -preset slow -crf 24');
    const vp9 = encoderArgs('vp9', { size: '160x120', fps: '10', crf: '40', preset: 'slow' });
    expect(vp9.join(' ')).toContain(
      '-c:v libvpx-vp9 -deadline good -cpu-used 2 -crf 40 -pix_fmt yuv420p -b:v 0 -threads 1 -row-mt 0',
    );
    expect(vp9.join(' ')).toMatch(/-f ivf -y$/);
    expect(vp9).not.toContain('-bsf:v');
    const av1 = encoderArgs('av1', { size: '160x120', fps: '10', crf: '40' }).join(' ');
    expect(av1).toContain('-c:v libaom-av1 -cpu-used 6 -crf 40 -pix_fmt yuv420p');
    expect(av1).toContain('-strict experimental -b:v 0 -threads 1 -row-mt 0 -f ivf -y');
    expect(decoderArgs('av1', 's.ivf').join(' ')).toContain('-f ivf -c:v libaom-av1 -i s.ivf');
  });

  it('spread a byte total over frames as integers that sum to it', () => {
    expect(distributeBytes(10, 4)).toEqual([3, 3, 2, 2]);
    expect(distributeBytes(8, 4)).toEqual([2, 2, 2, 2]);
    expect(distributeBytes(1, 3)).toEqual([1, 0, 0]);
  });
});

describe('FfmpegAnchor failures', () => {
  it('names the ffmpeg that lacks libx265 and the setting that fixes it', async () => {
    const fake = fakeFfmpeg('no-x265', { encoders: ' V..... libx264              libx264 H.264' });
    const anchor = new FfmpegAnchor({ ffmpegPath: fake });
    await expect(anchor.settings('x264')).resolves.toMatchObject({ anchor: 'x264' });
    const error = await anchor.measurePoint(clip, 'x265', 30).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AnchorError', code: 'FFMPEG_UNSUITABLE' });
    expect((error as Error).message).toContain(fake);
    expect((error as Error).message).toContain('ffmpeg version fake-1');
    expect((error as Error).message).toContain('libx265');
    expect((error as Error).message).toContain('CODEC_LAB_FFMPEG');
  });

  it('reports a missing ffmpeg as unavailable', async () => {
    const anchor = new FfmpegAnchor({ ffmpegPath: path.join(dir, 'no-such-ffmpeg') });
    await expect(anchor.settings('x264')).rejects.toMatchObject({ code: 'FFMPEG_UNAVAILABLE' });
  });

  const encoders = ' V..... libx264  H.264\n V..... libx265  HEVC';

  it('kills an ffmpeg that hangs', async () => {
    const fake = fakeFfmpeg('hangs', { encoders, body: 'sleep 5' });
    const anchor = new FfmpegAnchor({ ffmpegPath: fake, timeoutMs: 300 });
    await expect(anchor.measurePoint(clip, 'x264', 30)).rejects.toMatchObject({
      code: 'FFMPEG_TIMEOUT',
    });
  });

  it('refuses a decode with the wrong number of frames', async () => {
    // Encoding copies stdin to the output file; decoding prints one frame too few.
    const body = `for a; do last="$a"; done
case "$last" in
  pipe:1) head -c ${(FRAMES - 1) * W * H * 3} /dev/zero;;
  *) cat > "$last";;
esac`;
    const fake = fakeFfmpeg('drops', { encoders, body });
    const anchor = new FfmpegAnchor({ ffmpegPath: fake });
    const error = await anchor.measurePoint(clip, 'x265', 30).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FRAME_COUNT_MISMATCH' });
    expect((error as Error).message).toContain(`${FRAMES} frames went in`);
  });

  it('reports a failing encode with what ffmpeg said', async () => {
    const fake = fakeFfmpeg('fails', { encoders, body: 'echo "Unknown option -crf" >&2; exit 1' });
    const error = await new FfmpegAnchor({ ffmpegPath: fake })
      .measurePoint(clip, 'x264', 30)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FFMPEG_FAILED' });
    expect((error as Error).message).toContain('Unknown option -crf');
  });

  it("refuses CRFs outside the encoder's range or repeated", () => {
    expect(() => new FfmpegAnchor({ crfs: { x264: [18, 60] } })).toThrow(/x264.*\[0, 51\]/);
    expect(() => new FfmpegAnchor({ crfs: { av1: [18, 64] } })).toThrow(/av1.*\[0, 63\]/);
    expect(() => new FfmpegAnchor({ crfs: { x265: [18, 18] } })).toThrow(/distinct/);
    expect(() => new FfmpegAnchor({ crfs: { vp9: [] } })).toThrow(/none/);
    expect(new FfmpegAnchor({ crfs: { vp9: [20, 63] } }).crfs('vp9')).toEqual([20, 63]);
    expect(new FfmpegAnchor({ crfs: { vp9: [20, 63] } }).crfs('x264')).toEqual(DEFAULT_CRFS);
  });
});
