/**
 * Which of a user's clips are dev (seen by the search) and which are holdout (seen only by the
 * adoption rule's confirmation). Pure: the clips are already read. The rule is documented in
 * docs/ARCHITECTURE.md §3.3 and the README; change one, change all three.
 */
import { CodecLabError } from '../errors.js';
import type { Clip } from '../evaluation/clip.js';

/** With at least this many clips, whole clips are held out; with fewer, later frames are. */
export const MIN_CLIPS_FOR_CLIP_SPLIT = 3;
/** Whole-clip split: the 3rd, 6th, 9th, … clip in name order is held out (a third, rounded down). */
export const HOLDOUT_EVERY = 3;
/** Frame split: each part of a clip (dev and holdout) has at least this many frames. */
export const MIN_SPLIT_FRAMES = 4;
/** A holdout clip cut from the later frames of a dev clip is named `<clip><suffix>`. */
export const HOLDOUT_SUFFIX = '-holdout';

/**
 * How the holdout was chosen: `clips` (every third clip by name), `frames` (each clip's last
 * third of frames), `given` (`--holdout`), `prepared` (the prepared holdout set), `none`.
 */
export type SplitRule = 'clips' | 'frames' | 'given' | 'prepared' | 'none';

/** One clip of a split as the store records it: frames are indices into the frames read. */
export interface SplitPart {
  readonly clip: string;
  readonly source: string;
  /** Index of the first frame taken, among the frames read from `source` (after any start). */
  readonly first_frame: number;
  readonly frames: number;
}

/** What `run` and `evaluate` store with their attempts (settings.clip_split). */
export interface SplitRecord {
  readonly rule: SplitRule;
  readonly description: string;
  readonly dev: readonly SplitPart[];
  readonly holdout: readonly SplitPart[];
}

export interface HoldoutSplit {
  readonly dev: Clip[];
  /** Empty only for rule `none`. */
  readonly holdout: Clip[];
  readonly record: SplitRecord;
}

const byName = (a: Clip, b: Clip): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function part(clip: Clip, firstFrame: number): SplitPart {
  return {
    clip: clip.name,
    source: clip.source,
    first_frame: firstFrame,
    frames: clip.frames.length,
  };
}

/** Frames of a clip held out by the frame split: the last third, rounded down. */
export function holdoutFrames(frames: number): number {
  return Math.floor(frames / 3);
}

/** The smallest clip the frame split accepts (both parts at least MIN_SPLIT_FRAMES). */
export const MIN_FRAMES_FOR_FRAME_SPLIT = 3 * MIN_SPLIT_FRAMES;

/**
 * Splits the user's clips by the documented rule, or throws `USAGE` naming what to add. Never
 * shares a frame between dev and holdout.
 */
export function splitHoldout(clips: readonly Clip[]): HoldoutSplit {
  if (clips.length === 0) {
    throw new CodecLabError('USAGE', 'no clips to split into dev and holdout');
  }
  if (clips.length >= MIN_CLIPS_FOR_CLIP_SPLIT) {
    const sorted = [...clips].sort(byName);
    const dev = sorted.filter((_, i) => i % HOLDOUT_EVERY !== HOLDOUT_EVERY - 1);
    const holdout = sorted.filter((_, i) => i % HOLDOUT_EVERY === HOLDOUT_EVERY - 1);
    return {
      dev,
      holdout,
      record: {
        rule: 'clips',
        description: `every ${ordinal(HOLDOUT_EVERY)} clip in name order is held out (${clips.length} clips: ${dev.length} dev, ${holdout.length} holdout)`,
        dev: dev.map((clip) => part(clip, 0)),
        holdout: holdout.map((clip) => part(clip, 0)),
      },
    };
  }
  const short = clips.filter((clip) => clip.frames.length < MIN_FRAMES_FOR_FRAME_SPLIT);
  if (short.length > 0) {
    const which = short.map((clip) => `${clip.name} has ${clip.frames.length}`).join(', ');
    throw new CodecLabError(
      'USAGE',
      `cannot hold out part of ${clips.length === 1 ? 'one clip' : `${clips.length} clips`}: ${which} frames, and with fewer than ${MIN_CLIPS_FOR_CLIP_SPLIT} clips each clip's last third of frames is the holdout, which needs at least ${MIN_FRAMES_FOR_FRAME_SPLIT} frames per clip (${2 * MIN_SPLIT_FRAMES} dev + ${MIN_SPLIT_FRAMES} holdout). Add clips (with ${MIN_CLIPS_FOR_CLIP_SPLIT} or more, whole clips are held out), use longer clips or a larger --frames, or name a holdout set with --holdout PATH`,
    );
  }
  const dev: Clip[] = [];
  const holdout: Clip[] = [];
  const devParts: SplitPart[] = [];
  const holdoutParts: SplitPart[] = [];
  for (const clip of [...clips].sort(byName)) {
    const kept = clip.frames.length - holdoutFrames(clip.frames.length);
    const early = { ...clip, frames: clip.frames.slice(0, kept) };
    const late = {
      ...clip,
      name: `${clip.name}${HOLDOUT_SUFFIX}`,
      frames: clip.frames.slice(kept),
    };
    dev.push(early);
    holdout.push(late);
    devParts.push(part(early, 0));
    holdoutParts.push(part(late, kept));
  }
  return {
    dev,
    holdout,
    record: {
      rule: 'frames',
      description: `fewer than ${MIN_CLIPS_FOR_CLIP_SPLIT} clips: each clip's last third of frames (rounded down) is held out`,
      dev: devParts,
      holdout: holdoutParts,
    },
  };
}

/** A split chosen elsewhere (`--holdout`, the prepared sets, or no holdout at all). */
export function recordSplit(
  rule: Exclude<SplitRule, 'clips' | 'frames'>,
  dev: readonly Clip[],
  holdout: readonly Clip[] | null,
  description: string,
): SplitRecord {
  return {
    rule,
    description,
    dev: dev.map((clip) => part(clip, 0)),
    holdout: (holdout ?? []).map((clip) => part(clip, 0)),
  };
}

/**
 * Refuses a holdout that shares a source file with the dev clips (`--holdout` naming a dev
 * clip): the confirmation would be the dev measurement again.
 */
export function checkDisjoint(dev: readonly Clip[], holdout: readonly Clip[]): void {
  const devSources = new Set(dev.map((clip) => clip.source));
  const shared = holdout.filter((clip) => devSources.has(clip.source));
  if (shared.length > 0) {
    throw new CodecLabError(
      'USAGE',
      `--holdout includes ${shared.map((clip) => clip.source).join(', ')}, which is also a dev clip (--clips); a holdout must be other footage: point --holdout at different files, or leave it out to split --clips by the documented rule`,
    );
  }
}

/** What the CLI prints at start: the rule, then the dev and the holdout clips with their frames. */
export function describeSplit(record: SplitRecord): string[] {
  const list = (parts: readonly SplitPart[]): string =>
    parts.length === 0
      ? 'none'
      : parts
          .map(
            (p) =>
              `${p.clip} (frames ${p.first_frame}-${p.first_frame + p.frames - 1} of ${p.source})`,
          )
          .join(', ');
  return [
    `clip split: ${record.description}`,
    `  dev:     ${list(record.dev)}`,
    `  holdout: ${list(record.holdout)}`,
  ];
}

function ordinal(n: number): string {
  return n === 2 ? 'second' : n === 3 ? 'third' : `${n}th`;
}
