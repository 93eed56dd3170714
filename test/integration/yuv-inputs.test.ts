/**
 * The acceptance check of issue 14's inputs: the same frames as Y4M, raw YUV (8-bit), FFV1
 * and 10-bit Y4M (samples 4× the 8-bit ones) evaluate with the same metrics and BD-rates
 * through the real CLI and sandbox, and evaluate states the conversion to BGR it used.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SqliteStore } from '../../src/store/sqlite-store.js';
import { ffmpeg } from '../unit/ffmpeg-fixtures.js';
import { JPEG_CODEC, runCli } from './support.js';

const W = 96;
const H = 64;
const FRAMES = 4;
const RAW = ['--size', `${W}x${H}`, '--pix-fmt', 'yuv420p', '--fps', '25'];

const root = mkdtempSync(join(tmpdir(), 'codec-lab-yuv-'));
const dataDir = join(root, 'data');
const clip = (folder: string, file: string): string => join(root, folder, file);
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(() => {
  for (const folder of ['y4m', 'yuv', 'ffv1', 'ten']) mkdirSync(join(root, folder));
  const yuv8 = ffmpeg([
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
  writeFileSync(clip('yuv', 'clip.yuv'), yuv8);
  const ten = Buffer.alloc(yuv8.length * 2);
  for (let i = 0; i < yuv8.length; i++) ten.writeUInt16LE(yuv8[i]! * 4, i * 2);
  writeFileSync(join(root, 'ten.yuv'), ten);
  const from = (file: string, pixFmt: string): string[] => [
    '-f',
    'rawvideo',
    '-pixel_format',
    pixFmt,
    '-video_size',
    `${W}x${H}`,
    '-framerate',
    '25',
    '-i',
    file,
  ];
  ffmpeg([...from(clip('yuv', 'clip.yuv'), 'yuv420p'), clip('y4m', 'clip.y4m')]);
  ffmpeg([...from(clip('yuv', 'clip.yuv'), 'yuv420p'), '-c:v', 'ffv1', clip('ffv1', 'clip.mkv')]);
  ffmpeg([...from(join(root, 'ten.yuv'), 'yuv420p10le'), '-strict', '-1', clip('ten', 'clip.y4m')]);
});

interface Evaluation {
  ok: boolean;
  attempt_id: string;
  metrics: { points: Record<string, number>[]; clips: unknown[] };
  bd_rate: Record<string, number | null>;
}

/** What must not depend on the container format: everything but measured speeds and paths. */
function measured(result: Evaluation): unknown {
  const drop = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value, (key, v: unknown) =>
        ['encode_fps', 'decode_fps', 'source'].includes(key) ? undefined : v,
      ),
    );
  return {
    points: drop(result.metrics.points),
    clips: drop(result.metrics.clips),
    bd: result.bd_rate,
  };
}

async function evaluate(path: string, extra: readonly string[] = []): Promise<Evaluation> {
  const run = await runCli([
    'evaluate',
    JPEG_CODEC,
    '--json',
    '--data-dir',
    dataDir,
    '--clips',
    path,
    ...extra,
  ]);
  expect(run.stderr).not.toMatch(/codec-lab: /);
  expect(run.code).toBe(0);
  const result = JSON.parse(run.stdout) as Evaluation;
  expect(result.ok).toBe(true);
  return result;
}

describe('the same frames as Y4M, raw YUV, FFV1 and 10-bit Y4M', () => {
  it('evaluate with identical metrics and BD-rates, and record the conversion', async () => {
    const y4m = await evaluate(clip('y4m', 'clip.y4m'));
    const yuv = await evaluate(clip('yuv', 'clip.yuv'), RAW);
    const ffv1 = await evaluate(clip('ffv1', 'clip.mkv'));
    const ten = await evaluate(clip('ten', 'clip.y4m'));
    expect(y4m.metrics.points).toHaveLength(5);
    expect(y4m.metrics.points[0]!.psnr_y_db).toBeGreaterThan(15);
    for (const other of [yuv, ffv1, ten]) expect(measured(other)).toEqual(measured(y4m));

    const store = SqliteStore.openReadOnly({ dataDir });
    try {
      const settings = (id: string) => store.attempt(id)!.settings as Record<string, unknown>;
      expect(settings(yuv.attempt_id)).toMatchObject({
        raw: `${W}x${H} yuv420p @ 25 fps`,
        start: null,
        conversions: {
          clip: expect.stringMatching(/^yuv420p → 8-bit BGR: BT\.601 matrix/) as unknown,
        },
      });
      expect(settings(ten.attempt_id)).toMatchObject({
        raw: null,
        conversions: {
          clip: expect.stringContaining(
            '10-bit samples converted at full precision and rounded to 8 bits once',
          ) as unknown,
        },
      });
    } finally {
      store.close();
    }
  });

  it('prints the conversion, honours --start, and refuses raw YUV without its flags', async () => {
    const text = await runCli([
      'evaluate',
      JPEG_CODEC,
      '--data-dir',
      dataDir,
      '--clips',
      clip('ten', 'clip.y4m'),
      '--start',
      '1',
      '--frames',
      '2',
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`clips: clip (${W}x${H}, 2 frames @ 25 fps)`);
    expect(text.stdout).toMatch(
      / {2}clip: yuv420p10le → 8-bit BGR: BT\.601 matrix \(undeclared: the default\), limited range/,
    );

    const refused = await runCli([
      'evaluate',
      JPEG_CODEC,
      '--data-dir',
      dataDir,
      '--clips',
      clip('yuv', 'clip.yuv'),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'is raw video with no header: say what it holds with --size WxH --pix-fmt yuv420p --fps 30',
    );
    const partial = await runCli([
      'evaluate',
      JPEG_CODEC,
      '--data-dir',
      dataDir,
      '--clips',
      clip('yuv', 'clip.yuv'),
      '--size',
      '96x64',
    ]);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain('missing --pix-fmt, --fps');
  });
});
