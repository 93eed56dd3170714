/**
 * ffmpeg for the clip reader, the ffmpeg anchors and clip preparation: where the binary is,
 * and every ffmpeg run, through process-runner.ts's rule (deadline, process-group kill, capped
 * stderr). Failures become the caller's error class, so that the class still says where it
 * happened (a clip that cannot be read, an anchor that cannot be measured).
 */
import { createRequire } from 'node:module';

import { CodecLabError } from './errors.js';
import {
  ProcessError,
  runProcess,
  type ProcessOptions,
  type ProcessResult,
} from './process-runner.js';

/**
 * Long enough for any one decode or encode of the clips codec-lab uses on a loaded machine; a
 * run past it is hung, not slow.
 */
export const FFMPEG_TIMEOUT_MS = 300_000;

export const FFMPEG_INSTALL_ADVICE =
  'run `npm install` (it ships @ffmpeg-installer/ffmpeg) or set CODEC_LAB_FFMPEG to a working ffmpeg';

export type FfmpegErrorCode = 'FFMPEG_UNAVAILABLE' | 'FFMPEG_FAILED' | 'FFMPEG_TIMEOUT';

/** The ffmpeg binary shipped inside the `@ffmpeg-installer/ffmpeg` package. */
export function defaultFfmpegPath(): string {
  try {
    const require = createRequire(import.meta.url);
    const installer = require('@ffmpeg-installer/ffmpeg') as { path: string };
    return installer.path;
  } catch (cause) {
    throw new CodecLabError(
      'FFMPEG_UNAVAILABLE',
      `no ffmpeg binary from @ffmpeg-installer/ffmpeg for this platform; ${FFMPEG_INSTALL_ADVICE}`,
      { cause },
    );
  }
}

export interface FfmpegRunOptions extends Pick<
  ProcessOptions,
  'input' | 'onStdout' | 'signal' | 'purpose'
> {
  readonly timeoutMs: number;
  /** What to do when the run passes its deadline, e.g. "raise the reader's timeoutMs". */
  readonly timeoutAdvice: string;
  /** Builds the caller's error from a code and the runner's message. */
  readonly fail: (code: FfmpegErrorCode, message: string, options: { cause: unknown }) => Error;
}

/** Runs ffmpeg to completion; resolves whatever its exit code, rejects through `fail`. */
export async function runFfmpeg(
  ffmpegPath: string,
  args: readonly string[],
  options: FfmpegRunOptions,
): Promise<ProcessResult> {
  const { fail, ...rest } = options;
  try {
    return await runProcess(ffmpegPath, args, {
      ...rest,
      unavailableAdvice: FFMPEG_INSTALL_ADVICE,
    });
  } catch (error) {
    if (!(error instanceof ProcessError)) throw error;
    switch (error.code) {
      case 'COMMAND_UNAVAILABLE':
        throw fail('FFMPEG_UNAVAILABLE', error.message, { cause: error });
      case 'COMMAND_FAILED':
        throw fail('FFMPEG_FAILED', error.message, { cause: error });
      case 'COMMAND_TIMEOUT':
        throw fail('FFMPEG_TIMEOUT', error.message, { cause: error });
      case 'COMMAND_ABORTED':
        throw error;
    }
  }
}
