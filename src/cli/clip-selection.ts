import { join } from 'node:path';
import { checkSamePreset, clipSetExists, loadClipSet, manifestPreset } from '../clips/clip-set.js';
import type { Config } from '../config.js';
import { type Clip, clipSegment } from '../evaluation/clip.js';
import { readClips } from '../evaluation/clip-folder.js';
import { FfmpegClipReader } from '../evaluation/ffmpeg-clip-reader.js';
import type { RawVideoFormat } from '../evaluation/raw-video.js';
import { CodecLabError } from '../errors.js';
import { BUILTIN_CLIP } from './paths.js';

export interface ClipSelection {
  readonly clips: Clip[];
  /** Clips the prompt never sees, for adoption only; null when the clips are the user's own. */
  readonly holdout: Clip[] | null;
  readonly description: string;
}

/** Which frames to read (`--start`) and what raw `.yuv` files hold (`--size --pix-fmt --fps`). */
export interface ClipInput {
  readonly start?: number;
  readonly raw?: RawVideoFormat;
}

const USER_CLIP_FRAMES = 30;
const BUILTIN_FRAMES = 8;

/**
 * Which clips a command runs on: `--clips` when given; else the prepared dev set (with its
 * holdout) in <data-dir>/clips; else the built-in clip. Never a silent substitute: a prepared
 * set that fails its hash check is an error, not a reason to fall back.
 */
export async function selectClips(
  config: Config,
  clipsFlag: string | undefined,
  frames: number | undefined,
  input: ClipInput = {},
): Promise<ClipSelection> {
  const reader = new FfmpegClipReader(config.ffmpegPath);
  const { raw, start: startFrame } = input;
  if (clipsFlag !== undefined) {
    const clips = await readClips(reader, clipsFlag, {
      maxFrames: frames ?? USER_CLIP_FRAMES,
      ...(startFrame === undefined ? {} : { startFrame }),
      ...(raw === undefined ? {} : { raw }),
    });
    return { clips, holdout: null, description: clipsFlag };
  }
  if (raw !== undefined) {
    throw new CodecLabError(
      'USAGE',
      '--size, --pix-fmt and --fps describe raw .yuv files: give them with --clips',
    );
  }
  const dev = join(config.dataDir, 'clips', 'dev');
  if (await clipSetExists(dev)) {
    const holdoutDir = join(config.dataDir, 'clips', 'holdout');
    const devSet = await loadClipSet(dev, reader);
    const holdoutSet = (await clipSetExists(holdoutDir))
      ? await loadClipSet(holdoutDir, reader)
      : null;
    const preset =
      holdoutSet === null
        ? manifestPreset(devSet.manifest)
        : checkSamePreset(devSet.manifest, holdoutSet.manifest, join(config.dataDir, 'clips'));
    return {
      clips: clipSegment(devSet.clips, frames, startFrame),
      holdout: holdoutSet === null ? null : clipSegment(holdoutSet.clips, frames, startFrame),
      description: `the prepared ${preset} dev set in ${dev}`,
    };
  }
  const clips = await readClips(reader, BUILTIN_CLIP, {
    maxFrames: frames ?? BUILTIN_FRAMES,
    ...(startFrame === undefined ? {} : { startFrame }),
  });
  return {
    clips,
    holdout: null,
    description: "the built-in clip (run 'codec-lab clips prepare' for the real dev set)",
  };
}
