import { z } from 'zod';
import type { AnchorTable } from '../anchors/anchors.js';
import { measureAnchors } from '../anchors/anchors.js';
import { FileAnchorCache } from '../anchors/anchor-cache.js';
import { DEFAULT_X26X_PRESET, X26X_PRESETS, type X26xPreset } from '../anchors/anchor-point.js';
import { FfmpegAnchor } from '../anchors/ffmpeg-anchor.js';
import { JpegAnchor } from '../anchors/jpeg-anchor.js';
import type { Config } from '../config.js';
import type { Clip } from '../evaluation/clip.js';
import type { Evaluator } from '../evaluation/evaluator.js';
import type { Logger } from '../logger.js';
import type { Sandbox } from '../sandbox/sandbox.js';

/** `--anchor-preset`, shared by the commands that measure anchors (run, evaluate, anchors). */
export const ANCHOR_PRESET_FLAG = '--anchor-preset <preset>';
export const ANCHOR_PRESET_HELP = `x264 and x265's speed preset: ${X26X_PRESETS.join(' | ')} (default ${DEFAULT_X26X_PRESET}); recorded with the anchors and the results`;
export const anchorPresetSchema = z
  .enum(X26X_PRESETS, {
    error: (issue) =>
      `--anchor-preset is ${X26X_PRESETS.join(' or ')}, not '${String(issue.input)}'`,
  })
  .optional();

/**
 * Measures (or reads from the cache) the JPEG, x264, x265, VP9 and AV1 anchors on `clips`,
 * with x264 and x265 at `preset` (part of their cache key, so results never mix presets).
 */
export function anchorMeasurer(
  config: Config,
  evaluator: Evaluator,
  sandbox: Sandbox,
  log: Logger,
  preset: X26xPreset = DEFAULT_X26X_PRESET,
): (clips: readonly Clip[]) => Promise<AnchorTable> {
  const ffmpeg = new FfmpegAnchor({
    preset,
    ...(config.ffmpegPath ? { ffmpegPath: config.ffmpegPath } : {}),
  });
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
