/**
 * The x264, x265, VP9 and AV1 anchors (docs/ARCHITECTURE.md §3.4): a clip's raw BGR frames
 * encoded by ffmpeg at a CRF sweep, decoded back by ffmpeg, and measured by the same trusted
 * metrics as candidate codecs. The encoders' arguments are in ffmpeg-encoders.ts.
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
  DEFAULT_X26X_PRESET,
  type FfmpegAnchorName,
  type FfmpegAnchorPoint,
  pickAnchorMetrics,
  type X26xPreset,
} from './anchor-point.js';
import {
  decoderArgs,
  defaultCrfs,
  encoderArgs,
  encoderLibrary,
  ivfFourcc,
  maxCrf,
  needsFilterUnits,
  speedLabel,
  streamFormat,
} from './ffmpeg-encoders.js';
import { ivfPayloads } from './ivf.js';

export {
  DEFAULT_CRFS,
  VPX_AOM_CRFS,
  decoderArgs,
  encoderArgs,
  type EncoderArgValues,
} from './ffmpeg-encoders.js';

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
  /** Default: the static ffmpeg of @ffmpeg-installer/ffmpeg (has every encoder used here). */
  readonly ffmpegPath?: string;
  /** Kill one ffmpeg process (encode or decode) after this long; default FFMPEG_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  /** Each anchor's CRF sweep, where not its default (ffmpeg-encoders.ts). */
  readonly crfs?: Partial<Readonly<Record<FfmpegAnchorName, readonly number[]>>>;
  /** x264 and x265's speed preset (`--anchor-preset`); default `medium`. */
  readonly preset?: X26xPreset;
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
  readonly preset: X26xPreset;
  private readonly crfSweeps: Partial<Readonly<Record<FfmpegAnchorName, readonly number[]>>>;
  private readonly timeoutMs: number;
  private readonly tempDir: string;
  private facts: Promise<FfmpegFacts> | undefined;

  constructor(options: FfmpegAnchorOptions = {}) {
    this.ffmpegPath = options.ffmpegPath ?? defaultFfmpegPath();
    this.timeoutMs = options.timeoutMs ?? FFMPEG_TIMEOUT_MS;
    this.tempDir = options.tempDir ?? tmpdir();
    this.preset = options.preset ?? DEFAULT_X26X_PRESET;
    this.crfSweeps = options.crfs ?? {};
    for (const [anchor, crfs] of Object.entries(this.crfSweeps) as Array<
      [FfmpegAnchorName, readonly number[]]
    >) {
      const top = maxCrf(anchor);
      const bad = crfs.filter((crf) => !Number.isFinite(crf) || crf < 0 || crf > top);
      if (crfs.length === 0 || bad.length > 0 || new Set(crfs).size !== crfs.length) {
        throw new AnchorError(
          'USAGE',
          `${anchor} CRFs must be distinct numbers in [0, ${top}] (got ${crfs.join(', ') || 'none'})`,
        );
      }
    }
  }

  /** The CRF sweep of one anchor, in measuring order. */
  crfs(anchor: FfmpegAnchorName): readonly number[] {
    return this.crfSweeps[anchor] ?? defaultCrfs(anchor);
  }

  /** What decides this anchor's results (for the cache key); checks the encoder exists. */
  async settings(anchor: FfmpegAnchorName): Promise<AnchorSettings> {
    const facts = await this.checkedFacts(anchor);
    const placeholders = { size: '{W}x{H}', fps: '{FPS}', crf: '{CRF}', preset: this.preset };
    return {
      anchor,
      levels: [...this.crfs(anchor)],
      details: {
        encoder: encoderLibrary(anchor),
        preset: speedLabel(anchor, this.preset),
        pix_fmt: 'yuv420p',
        ffmpeg: facts.version,
        encoder_args: encoderArgs(anchor, placeholders),
        decoder_args: decoderArgs(anchor, '{STREAM}'),
        ...(streamFormat(anchor) === 'ivf' ? { counted: 'ivf frame payloads' } : {}),
      },
    };
  }

  /** Every CRF of the sweep on one clip, in order. */
  async measure(clip: Clip, anchor: FfmpegAnchorName): Promise<FfmpegAnchorPoint[]> {
    const points: FfmpegAnchorPoint[] = [];
    for (const crf of this.crfs(anchor)) {
      points.push(await this.measurePoint(clip, anchor, crf));
    }
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
      const stream = path.join(dir, `stream.${streamFormat(anchor)}`);
      const what = `${anchor} at CRF ${crf} on clip ${clip.name}`;
      const args = [
        ...encoderArgs(anchor, {
          size: `${clip.width}x${clip.height}`,
          fps: String(clip.fps),
          crf: String(crf),
          preset: this.preset,
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
      const bitstream = countedBytes(anchor, await readFile(stream), what);
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
        frameBytes: distributeBytes(bitstream, clip.frames.length),
      });
      return { crf, ...pickAnchorMetrics(metrics) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async checkedFacts(anchor: FfmpegAnchorName): Promise<FfmpegFacts> {
    this.facts ??= this.probe();
    const facts = await this.facts;
    const library = encoderLibrary(anchor);
    if (!new RegExp(`^\\s*V\\S*\\s+${library}\\s`, 'm').test(facts.encoders)) {
      throw new AnchorError(
        'FFMPEG_UNSUITABLE',
        `the ffmpeg at ${this.ffmpegPath} (${facts.version}) has no ${library} encoder, needed ` +
          `for the ${anchor} anchor; set CODEC_LAB_FFMPEG to an ffmpeg built with ` +
          `--enable-${library} (the static build npm installs with @ffmpeg-installer/ffmpeg has it)`,
      );
    }
    if (needsFilterUnits(anchor) && !/^\s*filter_units\s*$/m.test(facts.bsfs)) {
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

/** The stream's bytes that count: the whole elementary stream, or IVF's frame payloads. */
function countedBytes(anchor: FfmpegAnchorName, file: Buffer, what: string): number {
  const fourcc = ivfFourcc(anchor);
  return fourcc === undefined ? file.length : ivfPayloads(file, fourcc, what).payloadBytes;
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
