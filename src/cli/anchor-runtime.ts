import type { AnchorTable } from '../anchors/anchors.js';
import { measureAnchors } from '../anchors/anchors.js';
import { FileAnchorCache } from '../anchors/anchor-cache.js';
import { FfmpegAnchor } from '../anchors/ffmpeg-anchor.js';
import { JpegAnchor } from '../anchors/jpeg-anchor.js';
import type { Config } from '../config.js';
import type { Clip } from '../evaluation/clip.js';
import type { Evaluator } from '../evaluation/evaluator.js';
import type { Logger } from '../logger.js';
import type { Sandbox } from '../sandbox/sandbox.js';

/** Measures (or reads from the cache) the JPEG, x264 and x265 anchors on `clips`. */
export function anchorMeasurer(
  config: Config,
  evaluator: Evaluator,
  sandbox: Sandbox,
  log: Logger,
): (clips: readonly Clip[]) => Promise<AnchorTable> {
  const ffmpeg = new FfmpegAnchor(config.ffmpegPath ? { ffmpegPath: config.ffmpegPath } : {});
  const jpeg = new JpegAnchor(evaluator, { imageId: sandbox.imageId });
  const cache = new FileAnchorCache(config.dataDir, log);
  return (clips) =>
    measureAnchors({
      clips,
      ffmpeg,
      jpeg,
      cache,
      progress: (event) => log.info(event, 'anchor ready'),
    });
}
