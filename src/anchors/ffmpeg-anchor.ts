/**
 * The x264 and x265 anchors (docs/ARCHITECTURE.md §3): a clip's raw BGR frames encoded by ffmpeg at a CRF
 * sweep, decoded back by ffmpeg, and measured by the same trusted metrics as candidate codecs.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Clip } from '../evaluation/clip.js';
import { FFMPEG_TIMEOUT_MS, defaultFfmpegPath, runFfmpeg } from '../ffmpeg.js';
import { STDERR_KEEP_CHARS } from '../process-runner.js';
import { computeClipMetrics } from '../evaluation/metrics.js';
import {
  AnchorError,
  type AnchorSettings,
  type FfmpegAnchorName,
  type FfmpegAnchorPoint,
  pickAnchorMetrics,
} from './anchor-point.js';

/**
 * The CRF sweep for both encoders. On the 160x120 dev clips it spans about 23 to 45 dB luma
 * PSNR (CRF 42 to 18), which contains per-frame JPEG's 25 to 38 dB and the range candidate
 * codecs reach, so BD-rates against them have a common PSNR range to integrate over; five
 * points leave PCHIP room after dominated points are pruned (BD needs four).
 */
export const DEFAULT_CRFS: readonly number[] = [18, 24, 30, 36, 42];
export const X26X_PRESET = 'medium';

/**
 * swscale's defaults take a fast, inexact path for BGR <-> YUV 4:2:0 that alone caps luma PSNR
 * near 43 dB on real footage (measured on vtest.avi; 56.7 dB with these flags), which would
 * flatter every codec compared with the anchors. `bitexact` keeps results equal across CPUs,
 * so a cached result means the same thing on every machine.
 */
const SWS_FLAGS = 'bicubic+accurate_rnd+full_chroma_int+full_chroma_inp+bitexact';

interface EncoderSpec {
  readonly library: string;
  readonly format: string;
  /** Codec-specific determinism and quiet settings. */
  readonly extra: readonly string[];
  /**
   * SEI NAL unit types dropped from the stream: the encoder's own version-and-options banner
   * (about 0.7 kB for x264, 2 kB for x265) is not video and would swamp the rate of a short,
   * small clip. Nothing normative is removed; the stream is decoded back to prove it.
   */
  readonly seiTypes: string;
}

const ENCODERS: Readonly<Record<FfmpegAnchorName, EncoderSpec>> = {
  // -threads 1 gives x264 one thread and one lookahead thread: its output depends on both.
  x264: { library: 'libx264', format: 'h264', extra: ['-threads', '1'], seiTypes: '6' },
  // ffmpeg does not pass -threads to x265: fix the pool and frame threads, whose count changes
  // the bitstream, explicitly.
  x265: {
    library: 'libx265',
    format: 'hevc',
    extra: ['-x265-params', 'log-level=error:pools=1:frame-threads=1'],
    seiTypes: '39|40',
  },
};

export interface EncoderArgValues {
  readonly size: string;
  readonly fps: string;
  readonly crf: string;
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
    '-preset',
    X26X_PRESET,
    '-crf',
    values.crf,
    '-pix_fmt',
    'yuv420p',
    ...spec.extra,
    '-bsf:v',
    `filter_units=remove_types=${spec.seiTypes}`,
    // The raw elementary stream: no container, so the counted bytes are the bitstream only.
    '-f',
    spec.format,
    '-y',
  ];
}

/** ffmpeg's arguments to decode an elementary stream file to raw BGR on stdout. */
export function decoderArgs(anchor: FfmpegAnchorName, input: string): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-threads',
    '1',
    '-f',
    ENCODERS[anchor].format,
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

/**
 * Splits `total` bytes over `frames` as integers summing to it exactly. An elementary stream has
 * no per-frame byte accounting worth trusting (headers and reordering), and only the total
 * decides bitrate and bits per pixel, so an even spread is honest.
 */
export function distributeBytes(total: number, frames: number): number[] {
  const base = Math.floor(total / frames);
  const extra = total - base * frames;
  return Array.from({ length: frames }, (_, i) => base + (i < extra ? 1 : 0));
}

export interface FfmpegAnchorOptions {
  /** Default: the static ffmpeg of @ffmpeg-installer/ffmpeg (has libx264 and libx265). */
  readonly ffmpegPath?: string;
  /** Kill one ffmpeg process (encode or decode) after this long; default FFMPEG_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  readonly crfs?: readonly number[];
  /** Where the temporary bitstream files go (default: the OS temp folder). */
  readonly tempDir?: string;
}

interface FfmpegFacts {
  readonly version: string;
  readonly encoders: string;
  readonly bsfs: string;
}

interface FfmpegRun {
  readonly exitCode: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export class FfmpegAnchor {
  readonly ffmpegPath: string;
  readonly crfs: readonly number[];
  private readonly timeoutMs: number;
  private readonly tempDir: string;
  private facts: Promise<FfmpegFacts> | undefined;

  constructor(options: FfmpegAnchorOptions = {}) {
    this.ffmpegPath = options.ffmpegPath ?? defaultFfmpegPath();
    this.timeoutMs = options.timeoutMs ?? FFMPEG_TIMEOUT_MS;
    this.tempDir = options.tempDir ?? tmpdir();
    this.crfs = options.crfs ?? DEFAULT_CRFS;
    const bad = this.crfs.filter((crf) => !Number.isFinite(crf) || crf < 0 || crf > 51);
    if (this.crfs.length === 0 || bad.length > 0 || new Set(this.crfs).size !== this.crfs.length) {
      throw new AnchorError(
        'USAGE',
        `CRFs must be distinct numbers in [0, 51] (got ${this.crfs.join(', ') || 'none'})`,
      );
    }
  }

  /** What decides this anchor's results (for the cache key); checks the encoder exists. */
  async settings(anchor: FfmpegAnchorName): Promise<AnchorSettings> {
    const facts = await this.checkedFacts(anchor);
    return {
      anchor,
      levels: [...this.crfs],
      details: {
        encoder: ENCODERS[anchor].library,
        preset: X26X_PRESET,
        pix_fmt: 'yuv420p',
        ffmpeg: facts.version,
        encoder_args: encoderArgs(anchor, { size: '{W}x{H}', fps: '{FPS}', crf: '{CRF}' }),
        decoder_args: decoderArgs(anchor, '{STREAM}'),
      },
    };
  }

  /** Every CRF of the sweep on one clip, in order. */
  async measure(clip: Clip, anchor: FfmpegAnchorName): Promise<FfmpegAnchorPoint[]> {
    const points: FfmpegAnchorPoint[] = [];
    for (const crf of this.crfs) points.push(await this.measurePoint(clip, anchor, crf));
    return points;
  }

  async measurePoint(
    clip: Clip,
    anchor: FfmpegAnchorName,
    crf: number,
  ): Promise<FfmpegAnchorPoint> {
    await this.checkedFacts(anchor);
    const dir = await mkdtemp(path.join(this.tempDir, 'codec-lab-anchor-'));
    try {
      const stream = path.join(dir, `stream.${ENCODERS[anchor].format}`);
      const what = `${anchor} at CRF ${crf} on clip ${clip.name}`;
      const args = [
        ...encoderArgs(anchor, {
          size: `${clip.width}x${clip.height}`,
          fps: String(clip.fps),
          crf: String(crf),
        }),
        stream,
      ];
      const encoded = await this.run(args, `encoding ${what}`, clip.frames);
      if (encoded.exitCode !== 0) {
        throw new AnchorError(
          'FFMPEG_FAILED',
          `ffmpeg failed encoding ${what} (exit ${encoded.exitCode}): ${lastLines(encoded.stderr)}`,
        );
      }
      const bitstream = await readFile(stream);
      const decoded = await this.run(decoderArgs(anchor, stream), `decoding ${what}`);
      if (decoded.exitCode !== 0) {
        throw new AnchorError(
          'FFMPEG_FAILED',
          `ffmpeg failed decoding its own ${what} (exit ${decoded.exitCode}): ${lastLines(decoded.stderr)}`,
        );
      }
      const frameSize = clip.width * clip.height * 3;
      const count = decoded.stdout.length / frameSize;
      if (count !== clip.frames.length) {
        throw new AnchorError(
          'FRAME_COUNT_MISMATCH',
          `${what}: ${clip.frames.length} frames went in but ${decoded.stdout.length} bytes ` +
            `(${count.toFixed(2)} frames of ${clip.width}x${clip.height}) came back; ` +
            `this ffmpeg (${this.ffmpegPath}) drops or duplicates frames: point CODEC_LAB_FFMPEG at another build`,
        );
      }
      const frames = clip.frames.map((_, i) =>
        decoded.stdout.subarray(i * frameSize, (i + 1) * frameSize),
      );
      const metrics = computeClipMetrics({
        width: clip.width,
        height: clip.height,
        fps: clip.fps,
        original: clip.frames,
        decoded: frames,
        frameBytes: distributeBytes(bitstream.length, clip.frames.length),
      });
      return { crf, ...pickAnchorMetrics(metrics) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async checkedFacts(anchor: FfmpegAnchorName): Promise<FfmpegFacts> {
    this.facts ??= this.probe();
    const facts = await this.facts;
    const library = ENCODERS[anchor].library;
    if (!new RegExp(`^\\s*V\\S*\\s+${library}\\s`, 'm').test(facts.encoders)) {
      throw new AnchorError(
        'FFMPEG_UNSUITABLE',
        `the ffmpeg at ${this.ffmpegPath} (${facts.version}) has no ${library} encoder, needed ` +
          `for the ${anchor} anchor; set CODEC_LAB_FFMPEG to an ffmpeg built with ` +
          `--enable-${library} (the static build npm installs with @ffmpeg-installer/ffmpeg has it)`,
      );
    }
    if (!/^\s*filter_units\s*$/m.test(facts.bsfs)) {
      throw new AnchorError(
        'FFMPEG_UNSUITABLE',
        `the ffmpeg at ${this.ffmpegPath} (${facts.version}) has no filter_units bitstream ` +
          `filter (ffmpeg 4.0 or later); set CODEC_LAB_FFMPEG to a newer ffmpeg`,
      );
    }
    return facts;
  }

  private async probe(): Promise<FfmpegFacts> {
    const ask = async (flag: string): Promise<string> => {
      const run = await this.run(['-hide_banner', flag], `ffmpeg ${flag}`);
      if (run.exitCode !== 0) {
        throw new AnchorError(
          'FFMPEG_FAILED',
          `\`${this.ffmpegPath} ${flag}\` exited ${run.exitCode}: ${lastLines(run.stderr)}; ` +
            `set CODEC_LAB_FFMPEG to a working ffmpeg`,
        );
      }
      return run.stdout.toString('utf8');
    };
    const [versionText, encoders, bsfs] = await Promise.all([
      ask('-version'),
      ask('-encoders'),
      ask('-bsfs'),
    ]);
    const version = /^(ffmpeg version \S+)/m.exec(versionText)?.[1] ?? firstLine(versionText);
    return { version, encoders, bsfs };
  }

  private async run(
    args: readonly string[],
    what: string,
    input?: readonly Buffer[],
  ): Promise<FfmpegRun> {
    const run = await runFfmpeg(this.ffmpegPath, args, {
      timeoutMs: this.timeoutMs,
      purpose: what,
      timeoutAdvice: "use fewer or smaller frames, or raise the anchor's timeoutMs",
      ...(input === undefined ? {} : { input }),
      fail: (code, message, options) => new AnchorError(code, message, options),
    });
    return { exitCode: run.exitCode ?? -1, stdout: run.stdout, stderr: run.stderr };
  }
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0] ?? '';
}

function lastLines(text: string): string {
  const lines = text.trim().split(/\r?\n/).slice(-3).join(' | ');
  return lines.length > STDERR_KEEP_CHARS
    ? lines.slice(-STDERR_KEEP_CHARS)
    : lines || '(no output)';
}
