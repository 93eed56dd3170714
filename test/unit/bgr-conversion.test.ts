import { describe, expect, it } from 'vitest';

import { bgrConversion, sampleBits } from '../../src/evaluation/bgr-conversion.js';

const FLAGS = 'flags=bicubic+accurate_rnd+full_chroma_int+bitexact';

describe('bgrConversion', () => {
  it('names BT.601 limited range for YUV that declares nothing, in the filter and the text', () => {
    const c = bgrConversion({ pixelFormat: 'yuv420p', colorRange: null, colorSpace: null });
    expect(c.filters).toEqual([`scale=in_color_matrix=bt601:in_range=tv:${FLAGS}`, 'format=bgr24']);
    expect(c.description).toMatch(
      /^yuv420p → 8-bit BGR: BT\.601 matrix \(undeclared: the default\), limited range/,
    );
    expect(c.description).toContain('rounded to 8 bits');
  });

  it('says how 10-bit samples reach 8 bits', () => {
    const c = bgrConversion({ pixelFormat: 'yuv420p10le', colorRange: 'tv', colorSpace: null });
    expect(c.description).toContain(
      '10-bit samples converted at full precision and rounded to 8 bits once, at the end',
    );
    expect(c.description).toContain('no dithering');
  });

  it('follows a declared matrix and range', () => {
    expect(
      bgrConversion({ pixelFormat: 'yuv420p', colorRange: 'pc', colorSpace: 'bt709' }).filters[0],
    ).toBe(`scale=in_color_matrix=bt709:in_range=pc:${FLAGS}`);
    expect(
      bgrConversion({ pixelFormat: 'yuvj420p', colorRange: null, colorSpace: 'bt470bg' })
        .filters[0],
    ).toBe(`scale=in_color_matrix=bt601:in_range=pc:${FLAGS}`);
    expect(
      bgrConversion({ pixelFormat: 'yuv420p', colorRange: null, colorSpace: 'weird' }).description,
    ).toContain('declared weird is not a YCbCr matrix swscale knows: the default');
  });

  it('only reorders 8-bit RGB, as the prepared clips need', () => {
    expect(bgrConversion({ pixelFormat: 'bgr0', colorRange: 'pc', colorSpace: 'gbr' })).toEqual({
      filters: ['format=bgr24'],
      description: 'bgr0 → 8-bit BGR: channels reordered, no colour conversion',
    });
    expect(
      bgrConversion({ pixelFormat: 'gbrp10le', colorRange: null, colorSpace: null }).filters,
    ).toEqual([`scale=${FLAGS}`, 'format=bgr24']);
  });

  it('reads the bit depth from the format name', () => {
    expect(sampleBits('yuv420p')).toBe(8);
    expect(sampleBits('yuv420p10le')).toBe(10);
    expect(sampleBits('gray12be')).toBe(12);
    expect(sampleBits(null)).toBe(8);
  });
});
