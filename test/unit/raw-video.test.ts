import { describe, expect, it } from 'vitest';

import { CodecLabError } from '../../src/errors.js';
import {
  checkRawFileSize,
  isRawVideoPath,
  parseFrameRate,
  parseFrameSize,
  parsePixelFormat,
  rawFrameBytes,
  rawInputArgs,
  rawVideoFormat,
} from '../../src/evaluation/raw-video.js';

function usage(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(CodecLabError);
    expect((err as CodecLabError).code).toBe('USAGE');
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('raw video flags', () => {
  it('takes all three flags, or none', () => {
    expect(rawVideoFormat({})).toBeUndefined();
    expect(rawVideoFormat({ size: '352x288', pixFmt: 'yuv420p10le', fps: '30000/1001' })).toEqual({
      width: 352,
      height: 288,
      pixelFormat: 'yuv420p10le',
      fps: 30000 / 1001,
      fpsText: '30000/1001',
    });
    expect(usage(() => rawVideoFormat({ size: '352x288' }))).toBe(
      'a raw video needs all of --size WxH --pix-fmt yuv420p --fps 30; missing --pix-fmt, --fps',
    );
  });

  it('reports every bad value at once, each saying what the flag takes', () => {
    const message = usage(() => rawVideoFormat({ size: '352*288', pixFmt: 'nv12', fps: '0' }));
    expect(message).toContain("--size takes WIDTHxHEIGHT, e.g. 352x288 (got '352*288')");
    expect(message).toContain('--pix-fmt takes one of yuv420p, yuv422p, yuv444p, yuv420p10le');
    expect(message).toContain("--fps takes a frame rate such as 30, 29.97 or 30000/1001 (got '0')");
  });

  it('parses sizes, layouts and rates', () => {
    expect(parseFrameSize('1920x1080')).toEqual({ width: 1920, height: 1080 });
    expect(() => parseFrameSize('0x10')).toThrow(/--size/);
    expect(parsePixelFormat('YUV420P')).toBe('yuv420p');
    expect(parseFrameRate('29.97')).toBeCloseTo(29.97, 10);
    expect(parseFrameRate('25')).toBe(25);
    expect(() => parseFrameRate('30/0')).toThrow(/--fps/);
    expect(() => parseFrameRate('abc')).toThrow(/--fps/);
  });
});

describe('raw frame sizes', () => {
  const format = (pixelFormat: string, width = 352, height = 288) =>
    rawVideoFormat({ size: `${width}x${height}`, pixFmt: pixelFormat, fps: '30' })!;

  it('adds the chroma planes of each layout, rounding odd chroma sizes up', () => {
    expect(rawFrameBytes(format('yuv420p'))).toBe(152_064);
    expect(rawFrameBytes(format('yuv422p'))).toBe(202_752);
    expect(rawFrameBytes(format('yuv444p'))).toBe(304_128);
    expect(rawFrameBytes(format('yuv420p10le'))).toBe(304_128);
    expect(rawFrameBytes(format('gray'))).toBe(101_376);
    // 5x3 4:2:0: luma 15, chroma 3x2 each.
    expect(rawFrameBytes(format('yuv420p', 5, 3))).toBe(15 + 2 * 6);
  });

  it('refuses a file that is not a whole number of frames, naming the flags to check', () => {
    expect(checkRawFileSize('a.yuv', 3 * 152_064, format('yuv420p'))).toBe(3);
    expect(() => checkRawFileSize('a.yuv', 3 * 152_064, format('yuv420p10le'))).toThrow(
      'a.yuv is 456192 bytes, not a whole number of 352x288 yuv420p10le frames (304128 bytes each); check --size and --pix-fmt',
    );
    expect(() => checkRawFileSize('a.yuv', 0, format('yuv420p'))).toThrow(/0 bytes/);
  });

  it('tells ffmpeg exactly what the user said', () => {
    expect(rawInputArgs(format('yuv420p10le'))).toEqual([
      '-f',
      'rawvideo',
      '-pixel_format',
      'yuv420p10le',
      '-video_size',
      '352x288',
      '-framerate',
      '30',
    ]);
    expect(isRawVideoPath('/x/foreman.YUV')).toBe(true);
    expect(isRawVideoPath('/x/foreman.y4m')).toBe(false);
  });
});
