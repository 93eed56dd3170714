import { isCodecLabError } from '../errors.js';
import { AnchorError } from '../anchors/anchor-point.js';
import { ClipReadError } from '../evaluation/clip.js';

/** 0: the command ran (whatever the codec did); 2: usage or settings; 3: missing infrastructure. */
export const EXIT_OK = 0;
export const EXIT_UNEXPECTED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INFRASTRUCTURE = 3;

/** The class says where a failure happened, which decides for the codes both classes share. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof AnchorError)
    return error.code === 'USAGE' ? EXIT_USAGE : EXIT_INFRASTRUCTURE;
  if (error instanceof ClipReadError)
    return error.code === 'FFMPEG_UNAVAILABLE' ? EXIT_INFRASTRUCTURE : EXIT_USAGE;
  if (!isCodecLabError(error)) return EXIT_UNEXPECTED;
  switch (error.code) {
    case 'USAGE':
    case 'CONFIG_INVALID':
    case 'CLIP_NOT_FOUND':
    case 'CLIP_UNREADABLE':
    case 'CLIP_NO_VIDEO':
    case 'CLIP_EMPTY':
      return EXIT_USAGE;
    case 'DOCKER_UNREACHABLE':
    case 'IMAGE_MISSING':
    case 'IMAGE_BUILD_FAILED':
    case 'SANDBOX_FAILED':
    case 'STORE_FAILED':
    case 'API_KEY_MISSING':
    case 'LLM_FAILED':
    case 'COMMAND_UNAVAILABLE':
    case 'COMMAND_FAILED':
    case 'COMMAND_TIMEOUT':
    case 'COMMAND_ABORTED':
    case 'FFMPEG_UNAVAILABLE':
    case 'FFMPEG_UNSUITABLE':
    case 'FFMPEG_FAILED':
    case 'FFMPEG_TIMEOUT':
    case 'FRAME_COUNT_MISMATCH':
    case 'JPEG_ANCHOR_FAILED':
    case 'FONT_MISSING':
      return EXIT_INFRASTRUCTURE;
  }
}
