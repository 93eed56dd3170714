/**
 * Infrastructure failures: thrown, with a literal `code` callers branch on.
 * A failing codec is never one of these — it is data (see evaluation/failure.ts).
 */
export type ErrorCode =
  | 'DOCKER_UNREACHABLE'
  | 'IMAGE_MISSING'
  | 'IMAGE_BUILD_FAILED'
  | 'SANDBOX_FAILED'
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'CLIP_UNREADABLE'
  | 'STORE_FAILED'
  | 'API_KEY_MISSING'
  | 'LLM_FAILED';

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
