/**
 * Infrastructure failures: thrown, with a literal `code` callers branch on (never the message).
 * A failing codec is never one of these — it is data (see evaluation/failure.ts).
 *
 * Every error class of the project that carries a code extends CodecLabError, and every code is
 * in this one list (upper snake case). Subclasses (AnchorError, ClipReadError,
 * SourceUnavailableError, ProcessError) narrow the codes they use and say where the failure
 * happened; the CLI's exit status is chosen from the class and the code (cli/exit-codes.ts).
 * The HTTP API's codes (server/http-error.ts) are its wire format, not errors of this kind.
 */
export const ERROR_CODES = [
  // Settings and input
  'USAGE',
  'CONFIG_INVALID',
  // Infrastructure
  'DOCKER_UNREACHABLE',
  'IMAGE_MISSING',
  'IMAGE_BUILD_FAILED',
  'SANDBOX_FAILED',
  'STORE_FAILED',
  'API_KEY_MISSING',
  'LLM_FAILED',
  // Child processes (process-runner.ts)
  'COMMAND_UNAVAILABLE',
  'COMMAND_FAILED',
  'COMMAND_TIMEOUT',
  'COMMAND_ABORTED',
  // Clips
  'CLIP_NOT_FOUND',
  'CLIP_UNREADABLE',
  'CLIP_NO_VIDEO',
  'CLIP_EMPTY',
  // ffmpeg, as a clip reader or an anchor
  'FFMPEG_UNAVAILABLE',
  'FFMPEG_UNSUITABLE',
  'FFMPEG_FAILED',
  'FFMPEG_TIMEOUT',
  // Anchors
  'FRAME_COUNT_MISMATCH',
  'JPEG_ANCHOR_FAILED',
  // Charts
  'FONT_MISSING',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class CodecLabError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CodecLabError';
    this.code = code;
  }
}

export function isCodecLabError(error: unknown, code?: ErrorCode): error is CodecLabError {
  return error instanceof CodecLabError && (code === undefined || error.code === code);
}
