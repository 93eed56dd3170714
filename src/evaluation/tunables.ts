/**
 * A codec's TUNABLES (docs/ARCHITECTURE.md §2.1): the spec the validator read from the literal,
 * checked again here (it came out of a container), its defaults, and the check of the values a
 * codec is given in `config['params']`. No value reaches a codec unless it passed `checkParams`
 * against the spec. Pure.
 */
import { z } from 'zod';
import { loadContract } from '../contract.js';

export type ParamValue = number | string;
export type CodecParams = Readonly<Record<string, ParamValue>>;

export type TunableEntry =
  | {
      readonly type: 'float' | 'int';
      readonly min: number;
      readonly max: number;
      readonly default: number;
    }
  | {
      readonly type: 'choice';
      readonly choices: readonly ParamValue[];
      readonly default: ParamValue;
    };

export type TunableSpec = Readonly<Record<string, TunableEntry>>;

const limits = loadContract().tunables;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const numeric = z
  .object({
    type: z.enum(['float', 'int']),
    min: z.number().finite(),
    max: z.number().finite(),
    default: z.number().finite(),
  })
  .strict()
  .refine((e) => e.min < e.max && e.min <= e.default && e.default <= e.max)
  .refine((e) => e.type === 'float' || [e.min, e.max, e.default].every(Number.isInteger));
const value = z.union([z.number().finite(), z.string().max(200)]);
const choice = z
  .object({
    type: z.literal('choice'),
    choices: z.array(value).min(1).max(limits.max_choices),
    default: value,
  })
  .strict()
  .refine((e) => new Set(e.choices).size === e.choices.length && e.choices.includes(e.default));

const specSchema = z
  .record(z.string().max(limits.max_name_chars).regex(NAME), z.union([numeric, choice]))
  .refine((spec) => Object.keys(spec).length <= limits.max_entries);

/** The spec a validator report claims, if it is a valid one; null for none or a bad one. */
export function parseSpec(claimed: unknown): TunableSpec | null {
  if (claimed === null || claimed === undefined) return null;
  const parsed = specSchema.safeParse(claimed);
  return parsed.success ? parsed.data : null;
}

export function defaultsOf(spec: TunableSpec | null): CodecParams {
  const out: Record<string, ParamValue> = {};
  for (const [name, entry] of Object.entries(spec ?? {})) out[name] = entry.default;
  return out;
}

/**
 * Given values checked against the spec, the missing ones filled with the defaults. Any
 * unknown name, wrong type or value outside bounds or choices is refused with a message
 * naming it.
 */
export function checkParams(
  spec: TunableSpec | null,
  given: Readonly<Record<string, unknown>>,
): { ok: true; params: CodecParams } | { ok: false; message: string } {
  const entries = spec ?? {};
  const out: Record<string, ParamValue> = { ...defaultsOf(spec) };
  for (const [name, raw] of Object.entries(given)) {
    const entry = entries[name];
    if (entry === undefined) {
      const known = Object.keys(entries);
      const list =
        known.length === 0 ? 'the codec defines no TUNABLES' : `known: ${known.join(', ')}`;
      return { ok: false, message: `param '${name}' is not one of the codec's TUNABLES (${list})` };
    }
    const problem = valueProblem(entry, raw);
    if (problem !== null) return { ok: false, message: `param '${name}': ${problem}` };
    out[name] = raw as ParamValue;
  }
  return { ok: true, params: out };
}

function valueProblem(entry: TunableEntry, raw: unknown): string | null {
  if (entry.type === 'choice') {
    return entry.choices.includes(raw as ParamValue)
      ? null
      : `${JSON.stringify(raw)} is not one of ${JSON.stringify(entry.choices)}`;
  }
  if (typeof raw !== 'number' || !Number.isFinite(raw))
    return `${JSON.stringify(raw)} is not a number`;
  if (entry.type === 'int' && !Number.isInteger(raw)) return `${raw} is not an integer`;
  if (raw < entry.min || raw > entry.max) return `${raw} is outside [${entry.min}, ${entry.max}]`;
  return null;
}

export function sameParams(a: CodecParams, b: CodecParams): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
