/**
 * Which clips `run` and `evaluate` measure on, with real files read by ffmpeg: `--clips` is
 * split only where a holdout is needed, `--holdout` replaces the split, and a holdout that is
 * a dev clip is refused.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectClips } from '../../src/cli/clip-selection.js';
import { loadConfig, type Config } from '../../src/config.js';
import { ffmpeg, tempDir } from './ffmpeg-fixtures.js';

let work: ReturnType<typeof tempDir>;
let config: Config;
let clips: string;
let other: string;

function video(file: string, source: string, frames: number): void {
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `${source}=size=32x24:rate=10`,
    '-frames:v',
    String(frames),
    '-c:v',
    'ffv1',
    file,
  ]);
}

beforeAll(() => {
  work = tempDir('clip-selection');
  clips = path.join(work.dir, 'clips');
  mkdirSync(clips);
  video(path.join(clips, 'b.mkv'), 'testsrc', 16);
  video(path.join(clips, 'a.mkv'), 'testsrc2', 16);
  other = path.join(work.dir, 'other.mkv');
  video(other, 'smptebars', 6);
  config = loadConfig({}, { dataDir: path.join(work.dir, 'data') });
});

afterAll(() => work.remove());

describe('selectClips with --clips', () => {
  it('keeps every clip for dev where no holdout is needed (evaluate without --incumbent, anchors)', async () => {
    const selection = await selectClips(config, clips, undefined);
    expect(selection.clips.map((c) => [c.name, c.frames.length])).toEqual([
      ['a', 16],
      ['b', 16],
    ]);
    expect(selection.holdout).toBeNull();
    expect(selection.split.rule).toBe('none');
  });

  it("splits two clips by frames where a holdout is needed: each clip's last third", async () => {
    const selection = await selectClips(config, clips, undefined, { needed: true });
    expect(selection.split.rule).toBe('frames');
    expect(selection.clips.map((c) => [c.name, c.frames.length])).toEqual([
      ['a', 11],
      ['b', 11],
    ]);
    expect(selection.holdout?.map((c) => [c.name, c.frames.length])).toEqual([
      ['a-holdout', 5],
      ['b-holdout', 5],
    ]);
    // The holdout is the later frames of the same footage, not a copy of the dev frames.
    const whole = await selectClips(config, path.join(clips, 'a.mkv'), undefined);
    expect(selection.holdout?.[0]?.frames).toEqual(whole.clips[0]?.frames.slice(11));
    expect(selection.split.holdout[0]).toMatchObject({ clip: 'a-holdout', first_frame: 11 });
  });

  it('reads --frames before splitting, and refuses a clip too short to split', async () => {
    await expect(selectClips(config, clips, 9, { needed: true })).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringContaining('a has 9, b has 9 frames') as unknown,
    });
  });

  it('takes --holdout instead of splitting, read like --clips', async () => {
    const selection = await selectClips(config, clips, 4, { needed: true, path: other });
    expect(selection.split.rule).toBe('given');
    expect(selection.clips.map((c) => [c.name, c.frames.length])).toEqual([
      ['a', 4],
      ['b', 4],
    ]);
    expect(selection.holdout?.map((c) => [c.name, c.frames.length])).toEqual([['other', 4]]);
    expect(selection.split.holdout).toEqual([
      { clip: 'other', source: other, first_frame: 0, frames: 4 },
    ]);
  });

  it('refuses a --holdout that is one of the --clips files', async () => {
    await expect(
      selectClips(config, clips, 4, { needed: true, path: path.join(clips, 'b.mkv') }),
    ).rejects.toMatchObject({ code: 'USAGE' });
  });
});
