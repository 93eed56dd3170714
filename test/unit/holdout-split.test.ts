import { describe, expect, it } from 'vitest';
import {
  HOLDOUT_SUFFIX,
  MIN_FRAMES_FOR_FRAME_SPLIT,
  checkDisjoint,
  describeSplit,
  recordSplit,
  splitHoldout,
} from '../../src/clips/holdout-split.js';
import type { Clip } from '../../src/evaluation/clip.js';
import { CodecLabError } from '../../src/errors.js';

/** A clip whose frame i is filled with the byte i, so a test can tell frames apart. */
function clip(name: string, frames = 12): Clip {
  return {
    name,
    width: 4,
    height: 2,
    fps: 10,
    frames: Array.from({ length: frames }, (_, i) => Buffer.alloc(4 * 2 * 3, i)),
    source: `/videos/${name}.mkv`,
  };
}

const firstBytes = (c: Clip): number[] => c.frames.map((frame) => frame[0]!);

function refusal(run: () => unknown): CodecLabError {
  try {
    run();
  } catch (error) {
    if (error instanceof CodecLabError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('splitHoldout: 3 or more clips, whole clips', () => {
  it('holds out every third clip in name order, whatever the input order', () => {
    const split = splitHoldout(
      ['golf', 'alpha', 'echo', 'charlie', 'bravo', 'delta', 'foxtrot'].map((n) => clip(n)),
    );
    expect(split.dev.map((c) => c.name)).toEqual(['alpha', 'bravo', 'delta', 'echo', 'golf']);
    expect(split.holdout.map((c) => c.name)).toEqual(['charlie', 'foxtrot']);
    expect(split.record.rule).toBe('clips');
    // Whole clips: every frame of a clip goes to one side.
    expect(split.dev.every((c) => c.frames.length === 12)).toBe(true);
    expect(split.record.holdout).toEqual([
      { clip: 'charlie', source: '/videos/charlie.mkv', first_frame: 0, frames: 12 },
      { clip: 'foxtrot', source: '/videos/foxtrot.mkv', first_frame: 0, frames: 12 },
    ]);
  });

  it('with exactly three clips keeps two for dev and holds out the third, even a short one', () => {
    const split = splitHoldout([clip('c', 2), clip('a', 2), clip('b', 2)]);
    expect(split.dev.map((c) => c.name)).toEqual(['a', 'b']);
    expect(split.holdout.map((c) => c.name)).toEqual(['c']);
  });
});

describe('splitHoldout: fewer than 3 clips, later frames', () => {
  it("holds out each clip's last third of frames, rounded down, sharing no frame", () => {
    const split = splitHoldout([clip('solo', 14)]);
    expect(split.record.rule).toBe('frames');
    expect(split.dev.map((c) => c.name)).toEqual(['solo']);
    expect(split.holdout.map((c) => c.name)).toEqual([`solo${HOLDOUT_SUFFIX}`]);
    // 14 frames: 4 held out (floor(14/3)), the first 10 stay dev.
    expect(firstBytes(split.dev[0]!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(firstBytes(split.holdout[0]!)).toEqual([10, 11, 12, 13]);
    expect(split.record.dev).toEqual([
      { clip: 'solo', source: '/videos/solo.mkv', first_frame: 0, frames: 10 },
    ]);
    expect(split.record.holdout).toEqual([
      { clip: 'solo-holdout', source: '/videos/solo.mkv', first_frame: 10, frames: 4 },
    ]);
  });

  it('splits each of two clips the same way', () => {
    const split = splitHoldout([clip('b', 30), clip('a', 12)]);
    expect(split.dev.map((c) => [c.name, c.frames.length])).toEqual([
      ['a', 8],
      ['b', 20],
    ]);
    expect(split.holdout.map((c) => [c.name, c.frames.length])).toEqual([
      ['a-holdout', 4],
      ['b-holdout', 10],
    ]);
  });

  it('refuses a clip too short for both parts, saying what to add', () => {
    expect(MIN_FRAMES_FOR_FRAME_SPLIT).toBe(12);
    const error = refusal(() => splitHoldout([clip('long', 30), clip('short', 11)]));
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('short has 11 frames');
    expect(error.message).not.toContain('long has');
    expect(error.message).toContain('at least 12 frames per clip');
    expect(error.message).toMatch(/Add clips/);
    expect(error.message).toContain('--frames');
    expect(error.message).toContain('--holdout PATH');
  });

  it('accepts the smallest clip it documents', () => {
    const split = splitHoldout([clip('solo', MIN_FRAMES_FOR_FRAME_SPLIT)]);
    expect(split.dev[0]?.frames).toHaveLength(8);
    expect(split.holdout[0]?.frames).toHaveLength(4);
  });

  it('refuses no clips at all', () => {
    expect(refusal(() => splitHoldout([])).code).toBe('USAGE');
  });
});

describe('the given holdout', () => {
  it('refuses a holdout that is also a dev clip', () => {
    const error = refusal(() => checkDisjoint([clip('a'), clip('b')], [clip('c'), clip('b')]));
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('/videos/b.mkv');
    expect(error.message).not.toContain('/videos/c.mkv');
    expect(() => checkDisjoint([clip('a')], [clip('c')])).not.toThrow();
  });

  it('records and prints which clips and frames are dev and which holdout', () => {
    const record = recordSplit('given', [clip('a', 8)], [clip('h', 6)], '--holdout /videos/h.mkv');
    expect(describeSplit(record)).toEqual([
      'clip split: --holdout /videos/h.mkv',
      '  dev:     a (frames 0-7 of /videos/a.mkv)',
      '  holdout: h (frames 0-5 of /videos/h.mkv)',
    ]);
    const frames = describeSplit(splitHoldout([clip('solo', 12)]).record);
    expect(frames[1]).toBe('  dev:     solo (frames 0-7 of /videos/solo.mkv)');
    expect(frames[2]).toBe('  holdout: solo-holdout (frames 8-11 of /videos/solo.mkv)');
    expect(describeSplit(recordSplit('none', [clip('a')], null, 'no holdout'))[2]).toBe(
      '  holdout: none',
    );
  });
});
