import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ClipReadError, type ClipReadErrorCode } from '../../src/evaluation/clip.js';
import { FfmpegClipReader } from '../../src/evaluation/ffmpeg-clip-reader.js';
import { FFMPEG, ffmpeg, tempDir } from './ffmpeg-fixtures.js';

const W = 160;
const H = 120;
const FRAMES = 8;
const SOURCE = `testsrc2=size=${W}x${H}:rate=10`;

let dir: string;
let remove: () => void;
/** The same frames straight from the generator, as the reference. */
let reference: Buffer[];
const reader = new FfmpegClipReader(FFMPEG);

beforeAll(() => {
  ({ dir, remove } = tempDir('reader'));
  const at = (name: string): string => path.join(dir, name);
  // Lossless RGB FFV1, so the decoded frames must equal the generator's exactly.
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    SOURCE,
    '-frames:v',
    String(FRAMES),
    '-c:v',
    'ffv1',
    '-pix_fmt',
    'bgr0',
    at('src.mkv'),
  ]);
  const raw = ffmpeg([
    '-f',
    'lavfi',
    '-i',
    SOURCE,
    '-frames:v',
    String(FRAMES),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'bgr24',
    'pipe:1',
  ]).stdout;
  reference = Array.from({ length: FRAMES }, (_, i) =>
    raw.subarray(i * W * H * 3, (i + 1) * W * H * 3),
  );
  // Every pixel B=10, G=20, R=250, through a lossless RGB codec.
  const bgr = Buffer.alloc(32 * 32 * 3 * 3);
  for (let i = 0; i < bgr.length; i += 3) bgr.set([10, 20, 250], i);
  ffmpeg(
    [
      '-f',
      'rawvideo',
      '-pix_fmt',
      'bgr24',
      '-s',
      '32x32',
      '-r',
      '5',
      '-i',
      'pipe:0',
      '-c:v',
      'ffv1',
      '-pix_fmt',
      'bgr0',
      at('reddish.mkv'),
    ],
    bgr,
  );
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=161x121:rate=25',
    '-frames:v',
    '2',
    '-pix_fmt',
    'yuv420p',
    at('odd.y4m'),
  ]);
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    SOURCE,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440',
    '-frames:v',
    '4',
    '-t',
    '0.4',
    '-c:v',
    'mpeg4',
    '-c:a',
    'aac',
    at('av.mp4'),
  ]);
  ffmpeg(['-f', 'lavfi', '-i', SOURCE, '-frames:v', '3', at('f_%03d.png')]);
  ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '0.2', at('tone.wav')]);
  // Not .txt: ffmpeg's tty demuxer would happily render a text file as video.
  writeFileSync(at('notes.avi'), 'this is not a video\n');
});

afterAll(() => remove());

async function failure(promise: Promise<unknown>): Promise<ClipReadError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof ClipReadError) return error;
  throw new Error(`expected a ClipReadError, got ${String(error)}`);
}

function expectCode(error: ClipReadError, code: ClipReadErrorCode, message: RegExp): void {
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
}

describe('FfmpegClipReader', () => {
  it('reads a lossless clip exactly, with its size, rate, name and source', async () => {
    const clip = await reader.read(path.join(dir, 'src.mkv'), { maxFrames: 100 });
    expect(clip).toMatchObject({
      name: 'src',
      width: W,
      height: H,
      fps: 10,
      source: path.join(dir, 'src.mkv'),
    });
    expect(clip.frames).toHaveLength(FRAMES);
    clip.frames.forEach((frame, i) => expect(frame.equals(reference[i]!)).toBe(true));
  });

  it('delivers B, G, R byte order', async () => {
    const clip = await reader.read(path.join(dir, 'reddish.mkv'), { maxFrames: 3 });
    expect([clip.width, clip.height, clip.fps, clip.frames.length]).toEqual([32, 32, 5, 3]);
    expect([...clip.frames[2]!.subarray(0, 6)]).toEqual([10, 20, 250, 10, 20, 250]);
  });

  it('stops at maxFrames and skips startFrame frames', async () => {
    const first = await reader.read(path.join(dir, 'src.mkv'), { maxFrames: 3 });
    expect(first.frames).toHaveLength(3);
    const later = await reader.read(path.join(dir, 'src.mkv'), { maxFrames: 2, startFrame: 3 });
    expect(later.frames).toHaveLength(2);
    expect(later.frames[0]!.equals(reference[3]!)).toBe(true);
    expect(later.frames[1]!.equals(reference[4]!)).toBe(true);
  });

  it('crops centred to the limits with even dimensions', async () => {
    const clip = await reader.read(path.join(dir, 'src.mkv'), {
      maxFrames: 1,
      maxWidth: 100,
      maxHeight: 61,
    });
    expect([clip.width, clip.height]).toEqual([100, 60]);
    const x0 = 30;
    const y0 = 30;
    const expected = Buffer.alloc(100 * 60 * 3);
    for (let y = 0; y < 60; y++) {
      reference[0]!.copy(expected, y * 300, ((y0 + y) * W + x0) * 3, ((y0 + y) * W + x0 + 100) * 3);
    }
    expect(clip.frames[0]!.equals(expected)).toBe(true);
  });

  it('makes odd-sized video even', async () => {
    const clip = await reader.read(path.join(dir, 'odd.y4m'), { maxFrames: 5 });
    expect([clip.width, clip.height, clip.fps, clip.frames.length]).toEqual([160, 120, 25, 2]);
    expect(clip.frames[0]).toHaveLength(160 * 120 * 3);
  });

  it('takes the video stream of a file that also has audio', async () => {
    const clip = await reader.read(path.join(dir, 'av.mp4'), { maxFrames: 10 });
    expect([clip.width, clip.height, clip.fps, clip.frames.length]).toEqual([W, H, 10, 4]);
  });

  it('reads an image-sequence pattern', async () => {
    const clip = await reader.read(path.join(dir, 'f_%03d.png'), { maxFrames: 10 });
    expect(clip.frames).toHaveLength(3);
    expect(clip.frames[2]!.equals(reference[2]!)).toBe(true);
  });

  it('says when the file is missing, a folder, or not a video', async () => {
    expectCode(
      await failure(reader.read(path.join(dir, 'nope.avi'), { maxFrames: 1 })),
      'CLIP_NOT_FOUND',
      /does not exist/,
    );
    expectCode(
      await failure(reader.read(dir, { maxFrames: 1 })),
      'CLIP_UNREADABLE',
      /is a folder.*readClips/,
    );
    expectCode(
      await failure(reader.read(path.join(dir, 'notes.avi'), { maxFrames: 1 })),
      'CLIP_UNREADABLE',
      /cannot read .*notes\.avi as a video \(.*Invalid data/,
    );
  });

  it('says when a file has no video stream', async () => {
    expectCode(
      await failure(reader.read(path.join(dir, 'tone.wav'), { maxFrames: 1 })),
      'CLIP_NO_VIDEO',
      /no video stream/,
    );
  });

  it('says what to do when no frames are left', async () => {
    const error = await failure(
      reader.read(path.join(dir, 'src.mkv'), { maxFrames: 2, startFrame: 50 }),
    );
    expectCode(error, 'CLIP_EMPTY', /no frames decoded .*from frame 50 on.*lower --start/);
  });

  it('checks options before starting ffmpeg', async () => {
    expectCode(
      await failure(reader.read(path.join(dir, 'src.mkv'), { maxFrames: 0 })),
      'USAGE',
      /maxFrames/,
    );
  });

  it('reports an ffmpeg that cannot be run', async () => {
    const broken = new FfmpegClipReader(path.join(dir, 'no-such-ffmpeg'));
    expectCode(
      await failure(broken.read(path.join(dir, 'src.mkv'), { maxFrames: 1 })),
      'FFMPEG_UNAVAILABLE',
      /npm install/,
    );
  });

  it('kills ffmpeg after its timeout', async () => {
    const hasty = new FfmpegClipReader(FFMPEG, { timeoutMs: 1 });
    expectCode(
      await failure(hasty.read(path.join(dir, 'src.mkv'), { maxFrames: 1 })),
      'FFMPEG_TIMEOUT',
      /timeoutMs/,
    );
  });

  describe('with an ffmpeg whose output disagrees with its probe', () => {
    /** A stand-in ffmpeg: probes as 4x4 (48-byte frames), then writes `bytes` bytes. */
    function fakeFfmpeg(bytes: number): FfmpegClipReader {
      const script = path.join(dir, `fake-ffmpeg-${bytes}.sh`);
      writeFileSync(
        script,
        `#!/bin/sh
for a in "$@"; do
  if [ "$a" = pipe:1 ]; then head -c ${bytes} /dev/zero; exit 0; fi
done
echo "  Stream #0:0: Video: rawvideo, bgr24, 4x4, 1 fps" >&2
exit 1
`,
      );
      chmodSync(script, 0o755);
      return new FfmpegClipReader(script);
    }

    it('reads whole frames when sizes agree', async () => {
      const clip = await fakeFfmpeg(96).read(path.join(dir, 'src.mkv'), { maxFrames: 2 });
      expect([clip.width, clip.height, clip.fps, clip.frames.length]).toEqual([4, 4, 1, 2]);
    });

    it('stops reading past maxFrames frames and fails', async () => {
      const error = await failure(
        fakeFfmpeg(10_000_000).read(path.join(dir, 'src.mkv'), { maxFrames: 2 }),
      );
      expectCode(error, 'FFMPEG_FAILED', /does not match the probed 4x4/);
    });

    it('fails on a trailing partial frame', async () => {
      const error = await failure(fakeFfmpeg(50).read(path.join(dir, 'src.mkv'), { maxFrames: 2 }));
      expectCode(error, 'FFMPEG_FAILED', /does not match/);
    });
  });
});
