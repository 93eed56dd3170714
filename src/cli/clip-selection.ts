import { join } from 'node:path';
import { clipSetExists, loadClipSet } from '../clips/clip-set.js';
import type { Config } from '../config.js';
import type { Clip } from '../evaluation/clip.js';
import { readClips } from '../evaluation/clip-folder.js';
import { FfmpegClipReader } from '../evaluation/ffmpeg-clip-reader.js';
import { BUILTIN_CLIP } from './paths.js';

export interface ClipSelection {
  readonly clips: Clip[];
  /** Clips the prompt never sees, for adoption only; null when the clips are the user's own. */
  readonly holdout: Clip[] | null;
  readonly description: string;
}

const USER_CLIP_FRAMES = 30;
const BUILTIN_FRAMES = 8;

function truncate(clips: readonly Clip[], frames: number | undefined): Clip[] {
  return clips.map((clip) =>
    frames === undefined ? clip : { ...clip, frames: clip.frames.slice(0, frames) },
  );
}

/**
 * Which clips a command runs on: `--clips` when given; else the prepared dev set (with its
 * holdout) in <data-dir>/clips; else the built-in clip. Never a silent substitute: a prepared
 * set that fails its hash check is an error, not a reason to fall back.
 */
export async function selectClips(
  config: Config,
  clipsFlag: string | undefined,
  frames: number | undefined,
): Promise<ClipSelection> {
  const reader = new FfmpegClipReader(config.ffmpegPath);
  if (clipsFlag !== undefined) {
    const clips = await readClips(reader, clipsFlag, { maxFrames: frames ?? USER_CLIP_FRAMES });
    return { clips, holdout: null, description: clipsFlag };
  }
  const dev = join(config.dataDir, 'clips', 'dev');
  if (await clipSetExists(dev)) {
    const holdoutDir = join(config.dataDir, 'clips', 'holdout');
    const holdout = (await clipSetExists(holdoutDir))
      ? (await loadClipSet(holdoutDir, reader)).clips
      : null;
    return {
      clips: truncate((await loadClipSet(dev, reader)).clips, frames),
      holdout: holdout === null ? null : truncate(holdout, frames),
      description: `the prepared dev set in ${dev}`,
    };
  }
  const clips = await readClips(reader, BUILTIN_CLIP, { maxFrames: frames ?? BUILTIN_FRAMES });
  return {
    clips,
    holdout: null,
    description: "the built-in clip (run 'codec-lab clips prepare' for the real dev set)",
  };
}
