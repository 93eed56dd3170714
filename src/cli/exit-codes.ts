import { isCodecLabError } from '../errors.js';
import { AnchorError } from '../anchors/anchor-point.js';
import { ClipReadError } from '../evaluation/clip.js';

/** 0: the command ran (whatever the codec did); 2: usage or settings; 3: missing infrastructure. */
export const EXIT_OK = 0;
export const EXIT_UNEXPECTED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INFRASTRUCTURE = 3;

export function exitCodeFor(error: unknown): number {
  if (error instanceof AnchorError)
    return error.code === 'invalid_settings' ? EXIT_USAGE : EXIT_INFRASTRUCTURE;
  if (error instanceof ClipReadError)
    return error.code === 'ffmpeg_unavailable' ? EXIT_INFRASTRUCTURE : EXIT_USAGE;
  if (!isCodecLabError(error)) return EXIT_UNEXPECTED;
  switch (error.code) {
    case 'USAGE':
    case 'CONFIG_INVALID':
    case 'CLIP_UNREADABLE':
      return EXIT_USAGE;
    case 'DOCKER_UNREACHABLE':
    case 'IMAGE_MISSING':
    case 'IMAGE_BUILD_FAILED':
    case 'SANDBOX_FAILED':
    case 'STORE_FAILED':
    case 'API_KEY_MISSING':
    case 'LLM_FAILED':
      return EXIT_INFRASTRUCTURE;
  }
}
