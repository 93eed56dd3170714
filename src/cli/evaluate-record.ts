/**
 * What `codec-lab evaluate` stores about one codec file: an attempt like the loop's, with
 * origin `evaluate`, so status, the API, the dashboard and the self-debugger see it. Pure.
 */
import { CodecLabError } from '../errors.js';
import type { Assessment } from '../assessment/assessment.js';
import { NO_USAGE } from '../generators/generator.js';
import { codeSha256, evaluationOutcome, type AttemptRecord } from '../store/store.js';

/**
 * The codec file as text, byte for byte (a BOM included): the store keeps code as text, so
 * bytes that are not UTF-8 are refused rather than stored as something else.
 */
export function codecText(bytes: Buffer, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    throw new CodecLabError(
      'USAGE',
      `the codec file '${path}' is not UTF-8 text; save it as UTF-8 (the encoding Python expects by default)`,
      { cause },
    );
  }
}

export interface EvaluatedFile {
  readonly code: string;
  /** The codec file's absolute path: the `model` of the attempt, where the code came from. */
  readonly path: string;
  readonly assessment: Assessment;
  readonly evaluationMs: number;
  /** The flags it was measured with (qualities, frames, clips, incumbent, skip_validation, limits). */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly createdAtMs: number;
}

/**
 * The attempt record of an evaluated file. No parent, prompt, response or cost: nothing was
 * generated. No decision either: an `--incumbent` decision is about the user's file, not about
 * the store's incumbent, and only the loop adopts; `evaluate --json` still prints it.
 */
export function evaluatedFileRecord(file: EvaluatedFile): AttemptRecord {
  const { assessment } = file;
  return {
    origin: 'evaluate',
    code: file.code,
    codeSha256: codeSha256(file.code),
    parentId: null,
    generator: 'file',
    model: file.path,
    prompt: null,
    rawResponse: '',
    generationFailure: null,
    ...evaluationOutcome(assessment.result),
    assessment: {
      bd_rate: assessment.bd_rate,
      bd_rate_details: assessment.bd_rate_details,
      anchor_settings: assessment.anchor_settings,
    },
    decision: null,
    usage: NO_USAGE,
    timings: { generationMs: 0, evaluationMs: file.evaluationMs },
    settings: { codec: file.path, ...file.settings },
    createdAtMs: file.createdAtMs,
  };
}
