import { describe, expect, it } from 'vitest';

import type { Clip } from '../../src/evaluation/clip.js';
import {
  SMOKE_FRAMES,
  SMOKE_MAX_HEIGHT,
  SMOKE_MAX_WIDTH,
  smokeClip,
} from '../../src/evaluation/smoke.js';

/** Each pixel is (B, G, R) = (x, y, frame index): a crop shows exactly where it came from. */
function coordinateFrame(width: number, height: number, index: number): Buffer {
  const frame = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      frame[at] = x;
      frame[at + 1] = y;
      frame[at + 2] = index;
    }
  }
  return frame;
}

function coordinateClip(width: number, height: number, frames: number): Clip {
  return {
    name: 'grid',
    width,
    height,
    fps: 24,
    frames: Array.from({ length: frames }, (_, index) => coordinateFrame(width, height, index)),
    source: '/clips/grid.y4m',
  };
}

/** Asserts every pixel of `frame` came from (x0 + x, y0 + y) of frame `index`. */
function expectCroppedFrom(
  frame: Buffer | undefined,
  width: number,
  height: number,
  x0: number,
  y0: number,
  index: number,
): void {
  expect(frame?.length).toBe(width * height * 3);
  if (frame === undefined) return;
  let wrong = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      if (frame[at] !== x0 + x || frame[at + 1] !== y0 + y || frame[at + 2] !== index) wrong++;
    }
  }
  expect(wrong).toBe(0);
}

describe('smokeClip', () => {
  it('uses 2 frames of at most 64x48', () => {
    expect(SMOKE_FRAMES).toBe(2);
    expect(SMOKE_MAX_WIDTH).toBe(64);
    expect(SMOKE_MAX_HEIGHT).toBe(48);
  });

  it('crops the first two frames to the centred 64x48, pixel for pixel', () => {
    const smoke = smokeClip(coordinateClip(100, 80, 5));
    expect(smoke.width).toBe(64);
    expect(smoke.height).toBe(48);
    expect(smoke.frames).toHaveLength(2);
    // x0 = (100 - 64) / 2, y0 = (80 - 48) / 2
    expectCroppedFrom(smoke.frames[0], 64, 48, 18, 16, 0);
    expectCroppedFrom(smoke.frames[1], 64, 48, 18, 16, 1);
    // Spot checks written out, in case the helper is wrong.
    expect([...(smoke.frames[0]?.subarray(0, 3) ?? [])]).toEqual([18, 16, 0]);
    const last = (47 * 64 + 63) * 3;
    expect([...(smoke.frames[1]?.subarray(last, last + 3) ?? [])]).toEqual([81, 63, 1]);
  });

  it('rounds an odd margin down', () => {
    const smoke = smokeClip(coordinateClip(101, 81, 2));
    expect([smoke.width, smoke.height]).toEqual([64, 48]);
    // x0 = floor(37 / 2), y0 = floor(33 / 2)
    expectCroppedFrom(smoke.frames[0], 64, 48, 18, 16, 0);
  });

  it('keeps a clip already within 64x48 whole', () => {
    const clip = coordinateClip(20, 18, 3);
    const smoke = smokeClip(clip);
    expect([smoke.width, smoke.height]).toEqual([20, 18]);
    expect(smoke.frames).toHaveLength(2);
    expect(smoke.frames[0]?.equals(clip.frames[0] ?? Buffer.alloc(0))).toBe(true);
    expect(smoke.frames[1]?.equals(clip.frames[1] ?? Buffer.alloc(0))).toBe(true);
  });

  it('crops only the dimension over its limit, and evens an odd one', () => {
    const smoke = smokeClip(coordinateClip(30, 61, 2));
    expect([smoke.width, smoke.height]).toEqual([30, 48]);
    expectCroppedFrom(smoke.frames[0], 30, 48, 0, 6, 0);
    const odd = smokeClip(coordinateClip(21, 17, 2));
    expect([odd.width, odd.height]).toEqual([20, 16]);
    expectCroppedFrom(odd.frames[1], 20, 16, 0, 0, 1);
  });

  it('keeps a one-frame clip at one frame', () => {
    expect(smokeClip(coordinateClip(20, 18, 1)).frames).toHaveLength(1);
  });

  it('marks the name and keeps fps and source; the original is untouched', () => {
    const clip = coordinateClip(100, 80, 3);
    const before = Buffer.from(clip.frames[0] ?? Buffer.alloc(0));
    const smoke = smokeClip(clip);
    expect(smoke.name).toBe('grid#smoke');
    expect(smoke.fps).toBe(24);
    expect(smoke.source).toBe('/clips/grid.y4m');
    expect(clip.width).toBe(100);
    expect(clip.frames).toHaveLength(3);
    expect(clip.frames[0]?.equals(before)).toBe(true);
  });
});
