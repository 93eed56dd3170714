/**
 * `ClipReader` backed by an ffmpeg child process: anything ffmpeg can decode
 * (avi, y4m, mkv/FFV1, mp4, an image-sequence pattern such as `f_%04d.png`, raw `.yuv`
 * described by `ClipReadOptions.raw`) becomes BGR frames on a pipe, converted as
 * bgr-conversion.ts spells out.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';

import { FFMPEG_TIMEOUT_MS, defaultFfmpegPath, runFfmpeg } from '../ffmpeg.js';

import {
  type Clip,
  type ClipReadOptions,
  type ClipReader,
  ClipReadError,
  centredCrop,
  checkClipReadOptions,
} from './clip.js';
import { bgrConversion } from './bgr-conversion.js';
import { type VideoStreamInfo, parseFfmpegProbe } from './ffmpeg-probe.js';
import {
  RAW_FLAGS_HELP,
  type RawVideoFormat,
  checkRawFileSize,
  isRawVideoPath,
  rawInputArgs,
} from './raw-video.js';

export { defaultFfmpegPath } from '../ffmpeg.js';

export interface FfmpegClipReaderOptions {
  /** Kill ffmpeg after this long, per process (probe or decode); default FFMPEG_TIMEOUT_MS. */
  readonly timeoutMs?: number;
}

export class FfmpegClipReader implements ClipReader {
  private readonly ffmpegPath: string;
  private readonly timeoutMs: number;

  constructor(ffmpegPath: string = defaultFfmpegPath(), options: FfmpegClipReaderOptions = {}) {
    this.ffmpegPath = ffmpegPath;
    this.timeoutMs = options.timeoutMs ?? FFMPEG_TIMEOUT_MS;
  }

  async read(file: string, options: ClipReadOptions): Promise<Clip> {
    checkClipReadOptions(options);
    const source = path.resolve(file);
    const bytes = await checkExists(source);
    const raw = isRawVideoPath(source) ? checkRaw(source, bytes, options.raw) : undefined;
    const inputArgs = raw === undefined ? [] : rawInputArgs(raw);
    const stream = await this.probe(source, inputArgs);
    const conversion = bgrConversion(stream);
    const crop = centredCrop(stream.width, stream.height, options.maxWidth, options.maxHeight);
    const frameSize = crop.width * crop.height * 3;
    const startFrame = options.startFrame ?? 0;

    const filters: string[] = [];
    if (startFrame > 0) filters.push(`trim=start_frame=${startFrame}`, 'setpts=PTS-STARTPTS');
    // Convert before cropping so the crop is exact rather than aligned to chroma.
    filters.push(...conversion.filters);
    if (crop.width !== stream.width || crop.height !== stream.height) {
      filters.push(`crop=${crop.width}:${crop.height}:${crop.x}:${crop.y}`);
    }
    const args = [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      // Rotation metadata would swap the probed width and height.
      '-noautorotate',
      ...inputArgs,
      '-i',
      source,
      '-map',
      stream.map,
      '-an',
      '-sn',
      '-dn',
      '-vf',
      filters.join(','),
      '-frames:v',
      String(options.maxFrames),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'bgr24',
      'pipe:1',
    ];
    const run = await this.run(args, frameSize, options.maxFrames);
    if (run.overflowed || run.partialBytes !== 0) {
      throw new ClipReadError(
        'FFMPEG_FAILED',
        `ffmpeg's output from ${source} does not match the probed ${stream.width}x${stream.height} picture; convert it first, e.g. \`ffmpeg -i ${source} -c:v ffv1 clip.mkv\``,
      );
    }
    if (run.frames.length === 0) {
      const why = run.exitCode === 0 ? '' : `: ${lastLine(run.stderr)}`;
      throw new ClipReadError(
        'CLIP_EMPTY',
        `no frames decoded from ${source} from frame ${startFrame} on${why}; check that \`ffmpeg -i ${source}\` shows a playable video stream, or lower --start (it has fewer frames)`,
      );
    }
    if (run.exitCode !== 0) {
      throw new ClipReadError(
        'FFMPEG_FAILED',
        `ffmpeg failed decoding ${source} (exit ${run.exitCode}): ${lastLine(run.stderr)}`,
      );
    }
    return {
      name: path.basename(source, path.extname(source)),
      width: crop.width,
      height: crop.height,
      // The rate as the user gave it, not as ffmpeg prints it rounded.
      fps: raw?.fps ?? stream.fps,
      frames: run.frames,
      source,
      conversion: conversion.description,
    };
  }

  private async probe(source: string, inputArgs: readonly string[]): Promise<VideoStreamInfo> {
    // With no output file ffmpeg exits 1 after printing the input's streams.
    const run = await this.run(['-hide_banner', '-nostdin', ...inputArgs, '-i', source], 0, 0);
    const result = parseFfmpegProbe(run.stderr);
    if (result.ok) return result.stream;
    switch (result.reason) {
      case 'no_video_stream':
        if (/Input #\d+/.test(run.stderr)) {
          throw new ClipReadError(
            'CLIP_NO_VIDEO',
            `${source} has no video stream; point the clip path at a video file`,
          );
        }
        throw new ClipReadError(
          'CLIP_UNREADABLE',
          `ffmpeg cannot read ${source} as a video (${lastLine(run.stderr)}); point the clip path at a video file ffmpeg can decode`,
        );
      case 'no_size':
      case 'no_frame_rate':
        throw new ClipReadError(
          'CLIP_UNREADABLE',
          `cannot tell the ${result.reason === 'no_size' ? 'picture size' : 'frame rate'} of ${source} from ffmpeg (${result.line ?? ''}); convert it first, e.g. \`ffmpeg -i ${source} -r 25 -c:v ffv1 clip.mkv\``,
        );
    }
  }

  /** Runs ffmpeg, cutting stdout into frames and keeping at most `maxFrames` of them. */
  private async run(
    args: readonly string[],
    frameSize: number,
    maxFrames: number,
  ): Promise<RunResult> {
    const frames: Buffer[] = [];
    let current: Buffer | undefined;
    let filled = 0;
    let overflowed = false;
    const onStdout = (chunk: Buffer, stop: () => void): void => {
      let offset = 0;
      while (offset < chunk.length && !overflowed) {
        if (frameSize === 0 || frames.length >= maxFrames) {
          // More than asked for means the picture size is not what was probed.
          overflowed = true;
          stop();
          break;
        }
        current ??= Buffer.allocUnsafe(frameSize);
        const n = chunk.copy(
          current,
          filled,
          offset,
          Math.min(chunk.length, offset + frameSize - filled),
        );
        filled += n;
        offset += n;
        if (filled === frameSize) {
          frames.push(current);
          current = undefined;
          filled = 0;
        }
      }
    };
    const run = await runFfmpeg(this.ffmpegPath, args, {
      timeoutMs: this.timeoutMs,
      timeoutAdvice: "read fewer frames or raise the reader's timeoutMs",
      onStdout,
      fail: (code, message, options) => new ClipReadError(code, message, options),
    });
    return {
      exitCode: run.exitCode ?? -1,
      frames,
      partialBytes: filled,
      overflowed,
      stderr: run.stderr,
    };
  }
}

interface RunResult {
  readonly exitCode: number;
  readonly frames: Buffer[];
  /** Bytes of an incomplete trailing frame (0 when the stream ended on a frame boundary). */
  readonly partialBytes: number;
  readonly overflowed: boolean;
  readonly stderr: string;
}

/** The raw format the user gave for a headerless file, checked against the file's size. */
function checkRaw(source: string, bytes: number, raw: RawVideoFormat | undefined): RawVideoFormat {
  if (raw === undefined) {
    throw new ClipReadError(
      'USAGE',
      `${source} is raw video with no header: say what it holds with ${RAW_FLAGS_HELP} (its size, sample layout and frame rate), or convert it to Y4M, which carries them`,
    );
  }
  checkRawFileSize(source, bytes, raw);
  return raw;
}

/** The file's size in bytes (0 for an image-sequence pattern). */
async function checkExists(source: string): Promise<number> {
  // An image-sequence pattern (`frame_%04d.png`) names no single file: check its folder.
  const target = /%\d*d/.test(path.basename(source)) ? path.dirname(source) : source;
  let isDirectory: boolean;
  let bytes: number;
  try {
    const info = await stat(target);
    isDirectory = info.isDirectory();
    bytes = info.size;
  } catch (cause) {
    throw new ClipReadError(
      'CLIP_NOT_FOUND',
      `clip ${source} does not exist; check the --clips path`,
      { cause },
    );
  }
  if (isDirectory && target === source) {
    throw new ClipReadError(
      'CLIP_UNREADABLE',
      `${source} is a folder, not a video file; read it with readClips() to take every video in it`,
    );
  }
  return bytes;
}

function lastLine(text: string): string {
  const lines = text.trim().split(/\r?\n/);
  return lines[lines.length - 1] ?? '';
}
