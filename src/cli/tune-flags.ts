/**
 * `--params FILE|JSON`, `--no-tune` and `--tune-budget N` (docs/ARCHITECTURE.md §3.7): the
 * given values (checked against the codec's TUNABLES once it is validated) and the tuning the
 * evaluation is asked for.
 */
import { readFileSync } from 'node:fs';
import { JPEG_ANCHOR_CODEC } from '../anchors/jpeg-anchor.js';
import { tuneReference, type ParamsCodec } from '../assessment/tuning-options.js';
import { CodecLabError } from '../errors.js';
import { DEFAULT_TUNE_BUDGET, type TuneOptions } from '../evaluation/tune-stage.js';

/** The seed of the tuner when a command does not give one: one seed, one result. */
export const DEFAULT_TUNE_SEED = 1;

export { DEFAULT_TUNE_BUDGET };

/**
 * `--params`: inline JSON (it starts with `{`) or a JSON file. A file with a `params` object
 * (`best_codec_implementation.json`, a `codec_versions/` record, `evaluate --json`'s tuning) is
 * read for that object, so a version is reproduced from its own file.
 */
export function parseParams(text: string): Record<string, unknown> {
  const inline = text.trimStart().startsWith('{');
  let raw: string;
  try {
    raw = inline ? text : readFileSync(text, 'utf8');
  } catch (cause) {
    throw new CodecLabError(
      'USAGE',
      `--params: cannot read '${text}': give a JSON object or a JSON file`,
      {
        cause,
      },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new CodecLabError(
      'USAGE',
      `--params: ${inline ? 'the value' : `'${text}'`} is not JSON: give an object such as {"q_scale": 1.5}`,
    );
  }
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(value))
    throw new CodecLabError('USAGE', '--params must be a JSON object of name -> value');
  const nested =
    value['params'] ?? (isObject(value['tuning']) ? value['tuning']['params'] : undefined);
  return isObject(nested) ? nested : value;
}

export function positiveBudget(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CodecLabError(
      'USAGE',
      `--tune-budget takes a whole number of proxy evaluations, 0 or more (got '${text}')`,
    );
  }
  return value;
}

/** The tuning of an evaluation against `incumbent` (the JPEG anchor's code before v1). */
export function tuneOptions(
  incumbent: ParamsCodec | null,
  budget: number = DEFAULT_TUNE_BUDGET,
  seed: number = DEFAULT_TUNE_SEED,
): TuneOptions {
  return { budget, seed, reference: tuneReference(incumbent, readFileSync(JPEG_ANCHOR_CODEC)) };
}

/** `evaluate --json`'s `tuning` field. */
export function tuningJson(
  tuning:
    | {
        readonly params: unknown;
        readonly default_bd_rate: number | null;
        readonly tuned_bd_rate: number | null;
        readonly evaluations: number;
        readonly wall_ms: number;
      }
    | undefined,
): Record<string, unknown> | null {
  if (tuning === undefined) return null;
  const { params, default_bd_rate, tuned_bd_rate, evaluations, wall_ms } = tuning;
  return { params, default_bd_rate, tuned_bd_rate, evaluations, wall_ms };
}
