import { join } from 'node:path';
import { checkSamePreset, clipSetExists, loadClipSet, manifestPreset } from '../clips/clip-set.js';
import type { Config } from '../config.js';
import { type Clip, type ClipReadOptions, clipSegment } from '../evaluation/clip.js';
import { readClips } from '../evaluation/clip-folder.js';
import { FfmpegClipReader } from '../evaluation/ffmpeg-clip-reader.js';
import type { RawVideoFormat } from '../evaluation/raw-video.js';
import { CodecLabError } from '../errors.js';
import {
  checkDisjoint,
  recordSplit,
  splitHoldout,
  type SplitRecord,
} from '../clips/holdout-split.js';
import { BUILTIN_CLIP } from './paths.js';

export interface ClipSelection {
  readonly clips: Clip[];
  /** Clips the prompt never sees, for adoption only; null only for the built-in clip. */
  readonly holdout: Clip[] | null;
  readonly description: string;
  /** Which clips and frames are dev and which holdout, and by what rule (printed and stored). */
  readonly split: SplitRecord;
}

export interface HoldoutOptions {
  /** `--holdout PATH`: a file or folder read like `--clips`. */
  readonly path?: string | undefined;
  /**
   * Whether the command needs a holdout (run, evaluate --incumbent): then `--clips` without
   * `--holdout` is split by the documented rule (clips/holdout-split.ts). Default false.
   */
  readonly needed?: boolean | undefined;
}

/** Which frames to read (`--start`) and what raw `.yuv` files hold (`--size --pix-fmt --fps`). */
export interface ClipInput {
  readonly start?: number;
  readonly raw?: RawVideoFormat;
}

const USER_CLIP_FRAMES = 30;
const BUILTIN_FRAMES = 8;

/** How `--clips`, `--holdout` and the built-in clip are read: `--frames`, `--start`, raw format. */
function readOptions(maxFrames: number, input: ClipInput): ClipReadOptions {
  return {
    maxFrames,
    ...(input.start === undefined ? {} : { startFrame: input.start }),
    ...(input.raw === undefined ? {} : { raw: input.raw }),
  };
}

/**
 * Which clips a command runs on: `--clips` when given; else the prepared dev set (with its
 * holdout) in <data-dir>/clips; else the built-in clip. The holdout: `--holdout` when given
 * (read exactly like `--clips`: same `--frames`, `--start` and raw format); else, where one is
 * needed, `--clips` split by the documented rule (docs/ARCHITECTURE.md §3.3). Never a silent
 * substitute: a prepared set that fails its hash check is an error, not a reason to fall back.
 */
export async function selectClips(
  config: Config,
  clipsFlag: string | undefined,
  frames: number | undefined,
  holdoutOptions: HoldoutOptions = {},
  input: ClipInput = {},
): Promise<ClipSelection> {
  const reader = new FfmpegClipReader(config.ffmpegPath);
  const selection = await selectDev(config, reader, clipsFlag, frames, holdoutOptions, input);
  if (holdoutOptions.path === undefined) return selection;
  const holdout = await readClips(
    reader,
    holdoutOptions.path,
    readOptions(frames ?? USER_CLIP_FRAMES, input),
  );
  checkDisjoint(selection.clips, holdout);
  return {
    ...selection,
    holdout,
    split: recordSplit('given', selection.clips, holdout, `--holdout ${holdoutOptions.path}`),
  };
}

async function selectDev(
  config: Config,
  reader: FfmpegClipReader,
  clipsFlag: string | undefined,
  frames: number | undefined,
  holdoutOptions: HoldoutOptions,
  input: ClipInput,
): Promise<ClipSelection> {
  if (clipsFlag !== undefined) {
    const clips = await readClips(
      reader,
      clipsFlag,
      readOptions(frames ?? USER_CLIP_FRAMES, input),
    );
    if (holdoutOptions.needed !== true || holdoutOptions.path !== undefined) {
      return {
        clips,
        holdout: null,
        description: clipsFlag,
        split: recordSplit('none', clips, null, 'all of --clips are dev clips'),
      };
    }
    const split = splitHoldout(clips);
    return {
      clips: split.dev,
      holdout: split.holdout,
      description: clipsFlag,
      split: split.record,
    };
  }
  if (input.raw !== undefined) {
    throw new CodecLabError(
      'USAGE',
      '--size, --pix-fmt and --fps describe raw .yuv files: give them with --clips',
    );
  }
  const dev = join(config.dataDir, 'clips', 'dev');
  if (await clipSetExists(dev)) {
    const holdoutDir = join(config.dataDir, 'clips', 'holdout');
    const devSet = await loadClipSet(dev, reader);
    // With --holdout the prepared holdout would only be replaced: it is not read at all.
    const holdoutSet =
      holdoutOptions.path === undefined && (await clipSetExists(holdoutDir))
        ? await loadClipSet(holdoutDir, reader)
        : null;
    const preset =
      holdoutSet === null
        ? manifestPreset(devSet.manifest)
        : checkSamePreset(devSet.manifest, holdoutSet.manifest, join(config.dataDir, 'clips'));
    const clips = clipSegment(devSet.clips, frames, input.start);
    const held = holdoutSet === null ? null : clipSegment(holdoutSet.clips, frames, input.start);
    return {
      clips,
      holdout: held,
      description: `the prepared ${preset} dev set in ${dev}`,
      split: recordSplit(
        held === null ? 'none' : 'prepared',
        clips,
        held,
        held === null
          ? `the prepared ${preset} dev set (no holdout set in ${holdoutDir})`
          : `the prepared ${preset} dev and holdout sets`,
      ),
    };
  }
  const clips = await readClips(reader, BUILTIN_CLIP, readOptions(frames ?? BUILTIN_FRAMES, input));
  return {
    clips,
    holdout: null,
    description: "the built-in clip (run 'codec-lab clips prepare' for the real dev set)",
    split: recordSplit('none', clips, null, 'the built-in clip has no holdout'),
  };
}
