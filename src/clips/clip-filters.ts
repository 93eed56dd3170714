/** What every clip's ffmpeg filter shares: bit-exact colour conversion and the default size. */

/**
 * Colour conversion with full-resolution chroma and C-exact arithmetic, so the
 * same ffmpeg gives the same pixels on any CPU. Converting before cropping
 * keeps the crop exact rather than aligned to chroma.
 */
export const SWS_FLAGS = 'accurate_rnd+full_chroma_int+bitexact';
export const TO_BGR = `scale=flags=${SWS_FLAGS},format=bgr0`;

export const CLIP_WIDTH = 160;
export const CLIP_HEIGHT = 120;

/** A size other than the default 160×120. */
export type Size = { readonly width?: number; readonly height?: number };
