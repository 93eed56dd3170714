import { centredCrop, type Clip } from './clip.js';

export const SMOKE_FRAMES = 2;
export const SMOKE_MAX_WIDTH = 64;
export const SMOKE_MAX_HEIGHT = 48;

/**
 * The smoke stage's tiny clip: the first frames of a real clip, centre-cropped, so the contract
 * and determinism checks take well under a second. Pure.
 */
export function smokeClip(clip: Clip): Clip {
  const rect = centredCrop(clip.width, clip.height, SMOKE_MAX_WIDTH, SMOKE_MAX_HEIGHT);
  const frames = clip.frames
    .slice(0, SMOKE_FRAMES)
    .map((frame) => cropFrame(frame, clip.width, rect));
  return { ...clip, name: `${clip.name}#smoke`, width: rect.width, height: rect.height, frames };
}

function cropFrame(
  frame: Buffer,
  width: number,
  rect: { width: number; height: number; x: number; y: number },
): Buffer {
  const out = Buffer.alloc(rect.width * rect.height * 3);
  for (let row = 0; row < rect.height; row++) {
    const from = ((rect.y + row) * width + rect.x) * 3;
    frame.copy(out, row * rect.width * 3, from, from + rect.width * 3);
  }
  return out;
}
