/**
 * How a decoded picture becomes the codec's 8-bit BGR frame, spelled out in the ffmpeg
 * arguments rather than left to ffmpeg's automatic conversion, and described in words for
 * `evaluate` to print and record. Pure.
 *
 * ffmpeg's automatic conversion (`format=bgr24` alone) picks its own matrix, range and
 * rounding, and on 10-bit YUV it differs from the 8-bit conversion of the same picture by up
 * to 91 levels. With the flags below, checked on this ffmpeg: 10-bit samples are converted at
 * their full precision and rounded to 8 bits once, at the end (a 10-bit picture whose samples
 * are 4× an 8-bit one gives exactly the 8-bit picture's BGR; 99.6 % of values equal the
 * rounded exact BT.601 formula, the rest are within 1), with no dithering.
 */

/** What the probe knows of a stream's samples. */
export interface PixelInfo {
  /** ffmpeg's name, e.g. `yuv420p10le`; null when ffmpeg did not print one. */
  readonly pixelFormat: string | null;
  /** Declared range: `tv` (limited) or `pc` (full); null when undeclared. */
  readonly colorRange: 'tv' | 'pc' | null;
  /** Declared colour space (matrix), e.g. `bt709`, `bt470bg`; null when undeclared. */
  readonly colorSpace: string | null;
}

export interface BgrConversion {
  /** Filter elements (joined with `,` into the `-vf` graph); the last outputs `bgr24`. */
  readonly filters: readonly string[];
  /** For people: e.g. `yuv420p10le → 8-bit BGR: BT.601 matrix (undeclared, the default), …`. */
  readonly description: string;
}

/** swscale flags: bicubic chroma upsampling, full-resolution chroma, C-exact arithmetic. */
export const YUV_SWS_FLAGS = 'bicubic+accurate_rnd+full_chroma_int+bitexact';

const RGB_FAMILY = /^(?:[0x]?(?:rgb|bgr|gbr)|argb|abgr|pal8|monob|monow)/;

/** The matrix swscale is told to use, from a declared colour space. */
const MATRICES: Readonly<Record<string, { readonly name: string; readonly label: string }>> = {
  bt709: { name: 'bt709', label: 'BT.709' },
  bt470bg: { name: 'bt601', label: 'BT.601' },
  smpte170m: { name: 'bt601', label: 'BT.601' },
  bt601: { name: 'bt601', label: 'BT.601' },
  fcc: { name: 'fcc', label: 'FCC' },
  smpte240m: { name: 'smpte240m', label: 'SMPTE 240M' },
  bt2020nc: { name: 'bt2020', label: 'BT.2020 (non-constant luminance)' },
  bt2020c: { name: 'bt2020', label: 'BT.2020' },
};

/** Bits per sample from the format's name (`yuv420p10le` → 10), 8 when it names none. */
export function sampleBits(pixelFormat: string | null): number {
  const match = /(\d+)(?:le|be)$/.exec(pixelFormat ?? '');
  const bits = match ? Number(match[1]) : 8;
  return bits > 8 && bits <= 16 ? bits : 8;
}

export function isRgbFormat(pixelFormat: string | null): boolean {
  return pixelFormat !== null && RGB_FAMILY.test(pixelFormat);
}

/**
 * The conversion of a stream to 8-bit BGR. YUV (and grey) sources use the declared matrix and
 * range, else BT.601 limited range, named explicitly; RGB sources are only reordered (or, above
 * 8 bits, rounded by swscale).
 */
export function bgrConversion(info: PixelInfo): BgrConversion {
  const format = info.pixelFormat ?? 'an unnamed pixel format';
  const bits = sampleBits(info.pixelFormat);
  if (isRgbFormat(info.pixelFormat)) {
    if (bits === 8) {
      return {
        filters: ['format=bgr24'],
        description: `${format} → 8-bit BGR: channels reordered, no colour conversion`,
      };
    }
    return {
      filters: [`scale=flags=${YUV_SWS_FLAGS}`, 'format=bgr24'],
      description: `${format} → 8-bit BGR: ${bits}-bit samples rounded to 8 bits by swscale (${YUV_SWS_FLAGS}), no colour conversion`,
    };
  }
  const declared = info.colorSpace === null ? undefined : MATRICES[info.colorSpace];
  const matrix = declared ?? MATRICES.bt601!;
  const matrixText =
    declared !== undefined
      ? `${matrix.label} matrix (declared)`
      : info.colorSpace === null
        ? `${matrix.label} matrix (undeclared: the default)`
        : `${matrix.label} matrix (declared ${info.colorSpace} is not a YCbCr matrix swscale knows: the default)`;
  const full = info.colorRange === 'pc' || /^yuvj/.test(info.pixelFormat ?? '');
  const range = full ? 'pc' : 'tv';
  const rangeText = full
    ? 'full range (0–255, declared)'
    : `limited range (16–235 luma, 16–240 chroma${info.colorRange === 'tv' ? ', declared' : ', undeclared: the default'})`;
  const depthText =
    bits > 8
      ? `${bits}-bit samples converted at full precision and rounded to 8 bits once, at the end`
      : 'rounded to 8 bits';
  return {
    filters: [
      `scale=in_color_matrix=${matrix.name}:in_range=${range}:flags=${YUV_SWS_FLAGS}`,
      'format=bgr24',
    ],
    description: `${format} → 8-bit BGR: ${matrixText}, ${rangeText}, ${depthText}, chroma upsampled bicubic, no dithering (swscale ${YUV_SWS_FLAGS})`,
  };
}
