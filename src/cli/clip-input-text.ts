/** How `evaluate` prints and records the clip input flags and each clip's conversion to BGR. */
import type { Clip } from '../evaluation/clip.js';
import { describeRawFormat } from '../evaluation/raw-video.js';
import type { ClipInput } from './clip-selection.js';

/** Settings fields: `start` (null: from the first frame) and `raw` (null: no raw clips). */
export function describeInput(input: ClipInput | undefined): {
  start: number | null;
  raw: string | null;
} {
  return {
    start: input?.start ?? null,
    raw: input?.raw === undefined ? null : describeRawFormat(input.raw),
  };
}

/** Clip name → how its pictures became 8-bit BGR, for the clips whose reader said so. */
export function clipConversions(clips: readonly Clip[]): Record<string, string> {
  return Object.fromEntries(
    clips.flatMap((clip) => (clip.conversion === undefined ? [] : [[clip.name, clip.conversion]])),
  );
}
