/**
 * `ClipReader` backed by an ffmpeg child process: anything ffmpeg can decode
 * (avi, y4m, mkv/FFV1, mp4, an image-sequence pattern such as `f_%04d.png`)
 * becomes BGR frames on a pipe.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import {
  type Clip,
  type ClipReadOptions,
  type ClipReader,
  ClipReadError,
  centredCrop,
  checkClipReadOptions,
} from './clip.js';
import { type VideoStreamInfo, parseFfmpegProbe } from './ffmpeg-probe.js';

export interface FfmpegClipReaderOptions {
  /** Kill ffmpeg after this long, per process (probe or decode). */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 300_000;
const STDERR_KEEP_BYTES = 16 * 1024;

/** The ffmpeg binary shipped inside the `@ffmpeg-installer/ffmpeg` package. */
export function defaultFfmpegPath(): string {
  try {
    const require = createRequire(import.meta.url);
    const installer = require('@ffmpeg-installer/ffmpeg') as { path: string };
    return installer.path;
  } catch (cause) {
    throw new ClipReadError(
      'ffmpeg_unavailable',
      'no ffmpeg binary from @ffmpeg-installer/ffmpeg for this platform; run `npm install` or pass an ffmpeg path explicitly',
      { cause },
    );
  }
}

export class FfmpegClipReader implements ClipReader {
  private readonly ffmpegPath: string;
  private readonly timeoutMs: number;

  constructor(ffmpegPath: string = defaultFfmpegPath(), options: FfmpegClipReaderOptions = {}) {
    this.ffmpegPath = ffmpegPath;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async read(file: string, options: ClipReadOptions): Promise<Clip> {
    checkClipReadOptions(options);
    const source = path.resolve(file);
    await checkExists(source);
    const stream = await this.probe(source);
    const crop = centredCrop(stream.width, stream.height, options.maxWidth, options.maxHeight);
    const frameSize = crop.width * crop.height * 3;
    const startFrame = options.startFrame ?? 0;

    const filters: string[] = [];
    if (startFrame > 0) filters.push(`trim=start_frame=${startFrame}`, 'setpts=PTS-STARTPTS');
    // Convert before cropping so the crop is exact rather than aligned to chroma.
    filters.push('format=bgr24');
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
        'ffmpeg_failed',
        `ffmpeg's output from ${source} does not match the probed ${stream.width}x${stream.height} picture; convert it first, e.g. \`ffmpeg -i ${source} -c:v ffv1 clip.mkv\``,
      );
    }
    if (run.frames.length === 0) {
      const why = run.exitCode === 0 ? '' : `: ${lastLine(run.stderr)}`;
      throw new ClipReadError(
        'clip_empty',
        `no frames decoded from ${source} (startFrame ${startFrame})${why}; check that \`ffmpeg -i ${source}\` shows a playable video stream, or lower startFrame`,
      );
    }
    if (run.exitCode !== 0) {
      throw new ClipReadError(
        'ffmpeg_failed',
        `ffmpeg failed decoding ${source} (exit ${run.exitCode}): ${lastLine(run.stderr)}`,
      );
    }
    return {
      name: path.basename(source, path.extname(source)),
      width: crop.width,
      height: crop.height,
      fps: stream.fps,
      frames: run.frames,
      source,
    };
  }

  private async probe(source: string): Promise<VideoStreamInfo> {
    // With no output file ffmpeg exits 1 after printing the input's streams.
    const run = await this.run(['-hide_banner', '-nostdin', '-i', source], 0, 0);
    const result = parseFfmpegProbe(run.stderr);
    if (result.ok) return result.stream;
    switch (result.reason) {
      case 'no_video_stream':
        if (/Input #\d+/.test(run.stderr)) {
          throw new ClipReadError(
            'clip_no_video',
            `${source} has no video stream; point the clip path at a video file`,
          );
        }
        throw new ClipReadError(
          'clip_unreadable',
          `ffmpeg cannot read ${source} as a video (${lastLine(run.stderr)}); point the clip path at a video file ffmpeg can decode`,
        );
      case 'no_size':
      case 'no_frame_rate':
        throw new ClipReadError(
          'clip_unreadable',
          `cannot tell the ${result.reason === 'no_size' ? 'picture size' : 'frame rate'} of ${source} from ffmpeg (${result.line ?? ''}); convert it first, e.g. \`ffmpeg -i ${source} -r 25 -c:v ffv1 clip.mkv\``,
        );
    }
  }

  /** Runs ffmpeg, cutting stdout into frames and keeping at most `maxFrames` of them. */
  private run(args: readonly string[], frameSize: number, maxFrames: number): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const frames: Buffer[] = [];
      let current: Buffer | undefined;
      let filled = 0;
      let overflowed = false;
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, this.timeoutMs);

      child.stdout.on('data', (chunk: Buffer) => {
        let offset = 0;
        while (offset < chunk.length && !overflowed) {
          if (frameSize === 0 || frames.length >= maxFrames) {
            // More than asked for means the picture size is not what was probed.
            overflowed = true;
            child.kill('SIGKILL');
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
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        stderr += text;
        if (stderr.length > 2 * STDERR_KEEP_BYTES) stderr = stderr.slice(-STDERR_KEEP_BYTES);
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          err.code === 'ENOENT' || err.code === 'EACCES'
            ? new ClipReadError(
                'ffmpeg_unavailable',
                `cannot run ffmpeg at ${this.ffmpegPath} (${err.code}); run \`npm install\` (it ships @ffmpeg-installer/ffmpeg) or pass a working ffmpeg path`,
                { cause: err },
              )
            : new ClipReadError(
                'ffmpeg_failed',
                `cannot start ffmpeg at ${this.ffmpegPath}: ${err.message}`,
                { cause: err },
              ),
        );
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (timedOut) {
          reject(
            new ClipReadError(
              'ffmpeg_timeout',
              `ffmpeg took longer than ${this.timeoutMs} ms on ${args.join(' ')}; read fewer frames or raise the reader's timeoutMs`,
            ),
          );
          return;
        }
        resolve({
          exitCode: code ?? -1,
          frames,
          partialBytes: filled,
          overflowed,
          stderr: stderr.slice(-STDERR_KEEP_BYTES),
        });
      });
    });
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

async function checkExists(source: string): Promise<void> {
  // An image-sequence pattern (`frame_%04d.png`) names no single file: check its folder.
  const target = /%\d*d/.test(path.basename(source)) ? path.dirname(source) : source;
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(target)).isDirectory();
  } catch (cause) {
    throw new ClipReadError(
      'clip_not_found',
      `clip ${source} does not exist; check the --clips path`,
      { cause },
    );
  }
  if (isDirectory && target === source) {
    throw new ClipReadError(
      'clip_unreadable',
      `${source} is a folder, not a video file; read it with readClips() to take every video in it`,
    );
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split(/\r?\n/);
  return lines[lines.length - 1] ?? '';
}
