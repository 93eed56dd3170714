/**
 * How each ffmpeg anchor (docs/ARCHITECTURE.md §3.4) is encoded and decoded: the library, its
 * CRF sweep, its speed preset, and ffmpeg's exact arguments. Pure: the arguments are also part
 * of every anchor's cache key, so a change here re-measures instead of serving stale results.
 */
import { DEFAULT_X26X_PRESET, type FfmpegAnchorName, type X26xPreset } from './anchor-point.js';

/**
 * x264 and x265's CRF sweep. On the 160x120 dev clips it spans about 23 to 45 dB luma PSNR
 * (CRF 42 to 18), which contains per-frame JPEG's 25 to 38 dB and the range candidate codecs
 * reach, so BD-rates against them have a common PSNR range to integrate over; five points leave
 * PCHIP room after dominated points are pruned (BD needs four).
 */
export const DEFAULT_CRFS: readonly number[] = [18, 24, 30, 36, 42];

/**
 * VP9 and AV1's CRF sweep, on their 0–63 scale: about 44 down to 28 dB luma PSNR on the dev
 * clips (CRF 16 to 63, the scale's end), the same five points for both so they compare alike.
 */
export const VPX_AOM_CRFS: readonly number[] = [16, 28, 40, 52, 63];

/**
 * libvpx-vp9's speed: `-deadline good -cpu-used 2`, the setting libvpx's own guides give for
 * good-quality offline encodes (0.2 s per dev clip and CRF on one core).
 */
export const VP9_CPU_USED = 2;

/**
 * libaom's speed: `-cpu-used 6`. The libaom in the bundled ffmpeg (2018) spends about 2 s per
 * encode of a dev clip whatever the setting (its fixed cost), so its fastest setting, 8, saved
 * only 5 % of the time on the dev clips for about 2 % more bytes at the same PSNR.
 */
export const AV1_CPU_USED = 6;

/**
 * swscale's defaults take a fast, inexact path for BGR <-> YUV 4:2:0 that alone caps luma PSNR
 * near 43 dB on real footage (measured on vtest.avi; 56.7 dB with these flags), which would
 * flatter every codec compared with the anchors. `bitexact` keeps results equal across CPUs,
 * so a cached result means the same thing on every machine.
 */
const SWS_FLAGS = 'bicubic+accurate_rnd+full_chroma_int+full_chroma_inp+bitexact';

/** What the encoder writes: a raw elementary stream, or IVF frames (VP9, AV1). */
export type StreamFormat = 'h264' | 'hevc' | 'ivf';

interface EncoderSpec {
  readonly library: string;
  readonly format: StreamFormat;
  /** The IVF header's FourCC for this codec, checked when the stream is read back. */
  readonly fourcc?: string;
  /** The largest CRF the encoder accepts. */
  readonly maxCrf: number;
  readonly crfs: readonly number[];
  /** The arguments that choose the encoder's speed, given the x264/x265 preset. */
  readonly speed: (preset: X26xPreset) => readonly string[];
  /** Codec-specific determinism, constant-quality and quiet settings. */
  readonly extra: readonly string[];
  /**
   * SEI NAL unit types dropped from the stream: the encoder's own version-and-options banner
   * (about 0.7 kB for x264, 2 kB for x265) is not video and would swamp the rate of a short,
   * small clip. Nothing normative is removed; the stream is decoded back to prove it.
   */
  readonly seiTypes?: string;
  /** ffmpeg's decoder, when it must be named (no native AV1 decoder in the bundled build). */
  readonly decoder?: string;
}

const ENCODERS: Readonly<Record<FfmpegAnchorName, EncoderSpec>> = {
  // -threads 1 gives x264 one thread and one lookahead thread: its output depends on both.
  x264: {
    library: 'libx264',
    format: 'h264',
    maxCrf: 51,
    crfs: DEFAULT_CRFS,
    speed: (preset) => ['-preset', preset],
    extra: ['-threads', '1'],
    seiTypes: '6',
  },
  // ffmpeg does not pass -threads to x265: fix the pool and frame threads, whose count changes
  // the bitstream, explicitly.
  x265: {
    library: 'libx265',
    format: 'hevc',
    maxCrf: 51,
    crfs: DEFAULT_CRFS,
    speed: (preset) => ['-preset', preset],
    extra: ['-x265-params', 'log-level=error:pools=1:frame-threads=1'],
    seiTypes: '39|40',
  },
  // `-b:v 0` makes -crf constant quality (with a bitrate it is a cap); one thread and no row
  // multithreading keep the bitstream the same on every machine.
  vp9: {
    library: 'libvpx-vp9',
    format: 'ivf',
    fourcc: 'VP90',
    maxCrf: 63,
    crfs: VPX_AOM_CRFS,
    speed: () => ['-deadline', 'good', '-cpu-used', String(VP9_CPU_USED)],
    extra: ['-b:v', '0', '-threads', '1', '-row-mt', '0'],
  },
  // The bundled ffmpeg marks libaom experimental, hence `-strict experimental`.
  av1: {
    library: 'libaom-av1',
    format: 'ivf',
    fourcc: 'AV01',
    maxCrf: 63,
    crfs: VPX_AOM_CRFS,
    speed: () => ['-cpu-used', String(AV1_CPU_USED)],
    extra: ['-strict', 'experimental', '-b:v', '0', '-threads', '1', '-row-mt', '0'],
    decoder: 'libaom-av1',
  },
};

export function encoderLibrary(anchor: FfmpegAnchorName): string {
  return ENCODERS[anchor].library;
}

export function streamFormat(anchor: FfmpegAnchorName): StreamFormat {
  return ENCODERS[anchor].format;
}

export function ivfFourcc(anchor: FfmpegAnchorName): string | undefined {
  return ENCODERS[anchor].fourcc;
}

/** Whether the encoder needs the filter_units bitstream filter (to drop its SEI banner). */
export function needsFilterUnits(anchor: FfmpegAnchorName): boolean {
  return ENCODERS[anchor].seiTypes !== undefined;
}

export function defaultCrfs(anchor: FfmpegAnchorName): readonly number[] {
  return ENCODERS[anchor].crfs;
}

export function maxCrf(anchor: FfmpegAnchorName): number {
  return ENCODERS[anchor].maxCrf;
}

/** The speed setting as recorded with the anchor: `medium`, `good/cpu-used=2`, `cpu-used=6`. */
export function speedLabel(anchor: FfmpegAnchorName, preset: X26xPreset): string {
  if (anchor === 'x264' || anchor === 'x265') return preset;
  return anchor === 'vp9' ? `good/cpu-used=${VP9_CPU_USED}` : `cpu-used=${AV1_CPU_USED}`;
}

export interface EncoderArgValues {
  readonly size: string;
  readonly fps: string;
  readonly crf: string;
  /** x264 and x265's preset; VP9 and AV1 have one fixed speed setting. */
  readonly preset?: X26xPreset;
}

/** ffmpeg's arguments to encode raw BGR on stdin; the output file is appended by the caller. */
export function encoderArgs(anchor: FfmpegAnchorName, values: EncoderArgValues): string[] {
  const spec = ENCODERS[anchor];
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'bgr24',
    '-s',
    values.size,
    '-r',
    values.fps,
    '-i',
    'pipe:0',
    '-an',
    '-sws_flags',
    SWS_FLAGS,
    '-c:v',
    spec.library,
    ...spec.speed(values.preset ?? DEFAULT_X26X_PRESET),
    '-crf',
    values.crf,
    '-pix_fmt',
    'yuv420p',
    ...spec.extra,
    ...(spec.seiTypes === undefined
      ? []
      : ['-bsf:v', `filter_units=remove_types=${spec.seiTypes}`]),
    // A raw elementary stream, or IVF whose frame headers are not counted (ffmpeg-anchor.ts):
    // the counted bytes are the bitstream only.
    '-f',
    spec.format,
    '-y',
  ];
}

/** ffmpeg's arguments to decode a stream file to raw BGR on stdout. */
export function decoderArgs(anchor: FfmpegAnchorName, input: string): string[] {
  const spec = ENCODERS[anchor];
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-threads',
    '1',
    '-f',
    spec.format,
    ...(spec.decoder === undefined ? [] : ['-c:v', spec.decoder]),
    '-i',
    input,
    '-an',
    '-sws_flags',
    SWS_FLAGS,
    // One output frame per decoded frame: no duplicates or drops to fit a frame rate.
    '-vsync',
    'passthrough',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'bgr24',
    'pipe:1',
  ];
}
