/**
 * Y4M, raw YUV and FFV1 holding the same frames are the same clip to codec-lab: the reader
 * gives the same BGR frames, so the metrics are the same. 10-bit sources, `--start`, and the
 * conversion the reader states are checked against what ffmpeg really does.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Clip, ClipReadError, clipSegment } from '../../src/evaluation/clip.js';
import { readClips } from '../../src/evaluation/clip-folder.js';
import { FfmpegClipReader } from '../../src/evaluation/ffmpeg-clip-reader.js';
import { computeClipMetrics } from '../../src/evaluation/metrics.js';
import { type RawVideoFormat, rawVideoFormat } from '../../src/evaluation/raw-video.js';
import { FFMPEG, ffmpeg, tempDir } from './ffmpeg-fixtures.js';

const W = 96;
const H = 64;
const FRAMES = 6;
const raw8: RawVideoFormat = rawVideoFormat({ size: `${W}x${H}`, pixFmt: 'yuv420p', fps: '25' })!;
const raw10: RawVideoFormat = { ...raw8, pixelFormat: 'yuv420p10le' };

let dir: string;
let remove: () => void;
const at = (name: string): string => path.join(dir, name);
const reader = new FfmpegClipReader(FFMPEG);
/** The 8-bit 4:2:0 samples every file below holds (the 10-bit ones scaled by 4). */
let yuv8: Buffer;

function rawArgs(format: RawVideoFormat): string[] {
  return ['-f', 'rawvideo', '-pixel_format', format.pixelFormat, '-video_size', `${W}x${H}`];
}

/** 10-bit little-endian samples 4·v + offset from 8-bit samples v. */
function to10bit(samples: Buffer, offset: number): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeUInt16LE(samples[i]! * 4 + offset, i * 2);
  return out;
}

beforeAll(() => {
  ({ dir, remove } = tempDir('yuv-inputs'));
  yuv8 = ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${W}x${H}:rate=25`,
    '-frames:v',
    String(FRAMES),
    '-pix_fmt',
    'yuv420p',
    '-f',
    'rawvideo',
    'pipe:1',
  ]).stdout;
  writeFileSync(at('clip.yuv'), yuv8);
  writeFileSync(at('clip10.yuv'), to10bit(yuv8, 0));
  writeFileSync(at('half10.yuv'), to10bit(yuv8, 2));
  const copy = (input: string, format: RawVideoFormat, out: string, codec: string[]): void => {
    ffmpeg([...rawArgs(format), '-framerate', '25', '-i', at(input), ...codec, at(out)]);
  };
  copy('clip.yuv', raw8, 'clip.y4m', []);
  copy('clip10.yuv', raw10, 'clip10.y4m', ['-strict', '-1']);
  copy('clip.yuv', raw8, 'clip-yuv.mkv', ['-c:v', 'ffv1']);
});

afterAll(() => remove());

const decodedBy = (clip: Clip): Buffer[] =>
  // A fixed, lossy "decode": the same damage whatever the input file was.
  clip.frames.map((frame) => Buffer.from(frame.map((v) => (v & 0xf0) | 0x08)));

function metricsOf(clip: Clip): ReturnType<typeof computeClipMetrics> {
  return computeClipMetrics({
    width: clip.width,
    height: clip.height,
    fps: clip.fps,
    original: clip.frames,
    decoded: decodedBy(clip),
    frameBytes: clip.frames.map((_, i) => 1000 + i),
  });
}

describe('Y4M, raw YUV and FFV1 of the same frames', () => {
  it('read as the same BGR frames, with the same size, rate and stated conversion', async () => {
    const y4m = await reader.read(at('clip.y4m'), { maxFrames: 100 });
    const yuv = await reader.read(at('clip.yuv'), { maxFrames: 100, raw: raw8 });
    const ffv1 = await reader.read(at('clip-yuv.mkv'), { maxFrames: 100 });
    expect(y4m.frames).toHaveLength(FRAMES);
    for (const clip of [yuv, ffv1]) {
      expect({ width: clip.width, height: clip.height, fps: clip.fps }).toEqual({
        width: W,
        height: H,
        fps: 25,
      });
      expect(Buffer.concat(clip.frames).equals(Buffer.concat(y4m.frames))).toBe(true);
      expect(clip.conversion).toBe(y4m.conversion);
    }
    expect(y4m.conversion).toMatch(/^yuv420p → 8-bit BGR: BT\.601 matrix .*limited range/);
  });

  it('give identical metrics, also against the lossless BGR FFV1 that clips prepare writes', async () => {
    const y4m = await reader.read(at('clip.y4m'), { maxFrames: 100 });
    // The prepared-set format: FFV1 bgr0 of the converted frames.
    ffmpeg(
      [
        '-f',
        'rawvideo',
        '-pix_fmt',
        'bgr24',
        '-video_size',
        `${W}x${H}`,
        '-framerate',
        '25',
        '-i',
        'pipe:0',
        '-c:v',
        'ffv1',
        '-pix_fmt',
        'bgr0',
        at('clip-bgr.mkv'),
      ],
      Buffer.concat(y4m.frames),
    );
    const clips = [
      y4m,
      await reader.read(at('clip.yuv'), { maxFrames: 100, raw: raw8 }),
      await reader.read(at('clip-yuv.mkv'), { maxFrames: 100 }),
      await reader.read(at('clip-bgr.mkv'), { maxFrames: 100 }),
    ];
    const metrics = clips.map(metricsOf);
    expect(metrics[0]!.psnr_y_db).toBeGreaterThan(20);
    expect(metrics[0]!.psnr_y_db).toBeLessThan(60);
    for (const m of metrics.slice(1)) expect(m).toEqual(metrics[0]);
  });
});

describe('10-bit sources', () => {
  it('read a 10-bit picture whose samples are 4× an 8-bit one as exactly that 8-bit picture', async () => {
    const eight = await reader.read(at('clip.yuv'), { maxFrames: 100, raw: raw8 });
    const tenRaw = await reader.read(at('clip10.yuv'), { maxFrames: 100, raw: raw10 });
    const tenY4m = await reader.read(at('clip10.y4m'), { maxFrames: 100 });
    expect(Buffer.concat(tenRaw.frames).equals(Buffer.concat(eight.frames))).toBe(true);
    expect(Buffer.concat(tenY4m.frames).equals(Buffer.concat(eight.frames))).toBe(true);
    expect(tenY4m.conversion).toContain('yuv420p10le → 8-bit BGR');
    expect(tenY4m.conversion).toContain('10-bit samples converted at full precision');
    expect(metricsOf(tenY4m)).toEqual(metricsOf(eight));
  });

  it('keeps the two low bits: half a step up moves values up, by at most 2 levels', async () => {
    const eight = Buffer.concat(
      (await reader.read(at('clip.yuv'), { maxFrames: 100, raw: raw8 })).frames,
    );
    const half = Buffer.concat(
      (await reader.read(at('half10.yuv'), { maxFrames: 100, raw: raw10 })).frames,
    );
    let changed = 0;
    let maxDiff = 0;
    for (let i = 0; i < eight.length; i++) {
      const d = half[i]! - eight[i]!;
      if (d !== 0) changed++;
      maxDiff = Math.max(maxDiff, Math.abs(d));
    }
    // Truncating to 8 bits first would give the 8-bit picture back exactly.
    expect(changed / eight.length).toBeGreaterThan(0.3);
    expect(maxDiff).toBeLessThanOrEqual(2);
  });

  it('is the stated formula: BT.601 limited range, rounded once (4:4:4, so no chroma filter)', async () => {
    const w = 64;
    const h = 32;
    const samples = Buffer.alloc(w * h * 3 * 2);
    let seed = 7;
    const next = (lo: number, hi: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return lo + (seed % (hi - lo + 1));
    };
    const planes = [0, 1, 2].map((p) =>
      Array.from({ length: w * h }, () => (p === 0 ? next(64, 940) : next(64, 960))),
    );
    planes.flat().forEach((v, i) => samples.writeUInt16LE(v, i * 2));
    writeFileSync(at('c444.yuv'), samples);
    const format = rawVideoFormat({ size: `${w}x${h}`, pixFmt: 'yuv444p10le', fps: '25' })!;
    const [frame] = (await reader.read(at('c444.yuv'), { maxFrames: 1, raw: format })).frames;
    let exact = 0;
    for (let i = 0; i < w * h; i++) {
      const y = ((planes[0]![i]! / 4 - 16) * 255) / 219;
      const u = ((planes[1]![i]! / 4 - 128) * 255) / 224;
      const v = ((planes[2]![i]! / 4 - 128) * 255) / 224;
      const bgr = [y + 1.772 * u, y - 0.344136 * u - 0.714136 * v, y + 1.402 * v];
      for (let c = 0; c < 3; c++) {
        const expected = Math.min(255, Math.max(0, Math.round(bgr[c]!)));
        const got = frame![i * 3 + c]!;
        expect(Math.abs(got - expected)).toBeLessThanOrEqual(1);
        if (got === expected) exact++;
      }
    }
    expect(exact / (w * h * 3)).toBeGreaterThan(0.99);
  });
});

describe('--start', () => {
  it('reads the segment from frame n, in raw YUV and Y4M alike', async () => {
    const all = (await reader.read(at('clip.y4m'), { maxFrames: 100 })).frames;
    for (const [file, raw] of [
      ['clip.yuv', raw8],
      ['clip.y4m', undefined],
    ] as const) {
      const segment = await reader.read(at(file), {
        maxFrames: 3,
        startFrame: 2,
        ...(raw === undefined ? {} : { raw }),
      });
      expect(segment.frames).toHaveLength(3);
      segment.frames.forEach((frame, i) => expect(frame.equals(all[2 + i]!)).toBe(true));
    }
  });

  it('cuts the same segment from clips already in memory (a prepared set)', async () => {
    const clip = await reader.read(at('clip.y4m'), { maxFrames: 100 });
    const [cut] = clipSegment([clip], 3, 2);
    expect(cut!.frames).toEqual(clip.frames.slice(2, 5));
    expect(clipSegment([clip], undefined, 4)[0]!.frames).toHaveLength(FRAMES - 4);
    expect(() => clipSegment([clip], 2, FRAMES)).toThrow(
      `--start ${FRAMES} is past the end of clip clip (${FRAMES} frames, numbered from 0); choose a smaller --start`,
    );
  });
});

describe('refusals', () => {
  async function refusal(promise: Promise<unknown>): Promise<ClipReadError> {
    const error = await promise.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ClipReadError);
    return error as ClipReadError;
  }

  it('refuses raw YUV without its size, layout and rate, saying which flags to give', async () => {
    const error = await refusal(reader.read(at('clip.yuv'), { maxFrames: 2 }));
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain(
      'is raw video with no header: say what it holds with --size WxH --pix-fmt yuv420p --fps 30',
    );
  });

  it('refuses a raw file whose size does not fit the stated frames', async () => {
    const wrong = { ...raw8, height: H - 2 };
    const error = await refusal(reader.read(at('clip.yuv'), { maxFrames: 2, raw: wrong }));
    expect(error.code).toBe('CLIP_UNREADABLE');
    expect(error.message).toMatch(
      /not a whole number of 96x62 yuv420p frames .*check --size and --pix-fmt/,
    );
  });

  it('refuses raw flags for clips that are not raw, and takes .yuv files from a folder', async () => {
    const error = await refusal(readClips(reader, at('clip.y4m'), { maxFrames: 2, raw: raw8 }));
    expect(error.code).toBe('USAGE');
    expect(error.message).toMatch(
      /describe raw \.yuv files, and .*clip\.y4m has none.*drop those flags/,
    );
    const { dir: folder, remove: removeFolder } = tempDir('yuv-folder');
    try {
      writeFileSync(path.join(folder, 'a.yuv'), yuv8);
      const clips = await readClips(reader, folder, { maxFrames: 2, raw: raw8 });
      expect(clips.map((c) => [c.name, c.frames.length])).toEqual([['a', 2]]);
      expect((await refusal(readClips(reader, folder, { maxFrames: 2 }))).code).toBe('USAGE');
    } finally {
      removeFolder();
    }
  });
});
