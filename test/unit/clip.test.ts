import { describe, expect, it } from 'vitest';

import { ClipReadError, centredCrop, checkClipReadOptions } from '../../src/evaluation/clip.js';

describe('centredCrop', () => {
  it('keeps an even picture within the limits whole', () => {
    expect(centredCrop(320, 240)).toEqual({ width: 320, height: 240, x: 0, y: 0 });
    expect(centredCrop(320, 240, 640, 480)).toEqual({ width: 320, height: 240, x: 0, y: 0 });
  });

  it('crops to the limits around the centre', () => {
    expect(centredCrop(768, 576, 320, 240)).toEqual({ width: 320, height: 240, x: 224, y: 168 });
    expect(centredCrop(768, 576, undefined, 240)).toEqual({
      width: 768,
      height: 240,
      x: 0,
      y: 168,
    });
  });

  it('always gives even dimensions', () => {
    expect(centredCrop(161, 121)).toEqual({ width: 160, height: 120, x: 0, y: 0 });
    expect(centredCrop(400, 300, 101, 77)).toEqual({ width: 100, height: 76, x: 150, y: 112 });
  });

  it('refuses a crop that leaves nothing', () => {
    const error = captureError(() => centredCrop(1, 100));
    expect(error).toBeInstanceOf(ClipReadError);
    expect(error.code).toBe('USAGE');
    expect(error.message).toMatch(/1x100/);
  });
});

describe('checkClipReadOptions', () => {
  it('accepts sensible options', () => {
    expect(() => checkClipReadOptions({ maxFrames: 1 })).not.toThrow();
    expect(() =>
      checkClipReadOptions({ maxFrames: 30, maxWidth: 320, maxHeight: 240, startFrame: 0 }),
    ).not.toThrow();
  });

  it('names every bad setting at once', () => {
    const error = captureError(() =>
      checkClipReadOptions({ maxFrames: 0, startFrame: -1, maxWidth: 1, maxHeight: 2.5 }),
    );
    expect(error.code).toBe('USAGE');
    for (const key of ['maxFrames', 'startFrame', 'maxWidth', 'maxHeight']) {
      expect(error.message).toContain(key);
    }
  });
});

function captureError(fn: () => unknown): ClipReadError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ClipReadError) return error;
    throw error;
  }
  throw new Error('expected a ClipReadError');
}
