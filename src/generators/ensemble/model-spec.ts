/**
 * The `--models FILE` ensemble: a JSON list of models, each a member the ensemble can ask.
 * Parsed once with zod; every bad entry is reported at once, naming the entry and the fix.
 */
import { z } from 'zod';
import { CodecLabError } from '../../errors.js';

export const PROVIDERS = ['anthropic', 'openai'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** One member, with the file's field names. */
export interface ModelSpec {
  /** Unique in the file; stored with every attempt the member writes (`member`). */
  readonly name: string;
  readonly provider: Provider;
  readonly model: string;
  readonly base_url?: string;
  /** `--model-policy weighted`: the member's share is weight / Σ weights. Default 1. */
  readonly weight: number;
  /** US dollars per million tokens; absent: the provider's configured prices. */
  readonly price_in_per_mtok?: number;
  readonly price_out_per_mtok?: number;
}

const SPEC = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'name must be a non-empty string')
      .max(64, 'name must be at most 64 characters'),
    provider: z.enum(PROVIDERS, { error: 'provider must be "anthropic" or "openai"' }),
    model: z.string().trim().min(1, 'model must be a non-empty string'),
    base_url: z.url({ protocol: /^https?$/, error: 'base_url must be an http(s) URL' }).optional(),
    weight: z
      .number({ error: 'weight must be a number' })
      .positive('weight must be > 0 (leave it out for 1)')
      .finite()
      .default(1),
    price_in_per_mtok: z
      .number({ error: 'price_in_per_mtok must be a number' })
      .nonnegative('price_in_per_mtok must be ≥ 0 (dollars per million input tokens)')
      .optional(),
    price_out_per_mtok: z
      .number({ error: 'price_out_per_mtok must be a number' })
      .nonnegative('price_out_per_mtok must be ≥ 0 (dollars per million output tokens)')
      .optional(),
  })
  .strict();

/**
 * The members of a models file's text, or a CONFIG_INVALID error listing every problem:
 * `models.json: entry 2 ("fast"): weight must be > 0 (leave it out for 1)`.
 */
export function parseModels(text: string, source: string): readonly ModelSpec[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CodecLabError(
      'CONFIG_INVALID',
      `${source} is not JSON (${(error as Error).message}); --models expects a JSON list of {name, provider, model, ...}`,
    );
  }
  if (!Array.isArray(data) || data.length === 0) {
    throw new CodecLabError(
      'CONFIG_INVALID',
      `${source} must hold a non-empty JSON list of models, e.g. [{"name": "sonnet", "provider": "anthropic", "model": "claude-sonnet-4-5"}]`,
    );
  }
  const problems: string[] = [];
  const specs: ModelSpec[] = [];
  const seen = new Map<string, number>();
  data.forEach((entry: unknown, index) => {
    const named =
      typeof entry === 'object' &&
      entry !== null &&
      typeof (entry as { name?: unknown }).name === 'string'
        ? ` ("${(entry as { name: string }).name}")`
        : '';
    const where = `entry ${index + 1}${named}`;
    const result = SPEC.safeParse(entry);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const field = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
        const message =
          issue.code === 'unrecognized_keys'
            ? `unknown field(s) ${issue.keys.join(', ')}; allowed: name, provider, model, base_url, weight, price_in_per_mtok, price_out_per_mtok`
            : issue.message;
        problems.push(`${where}: ${field}${message}`);
      }
      return;
    }
    const first = seen.get(result.data.name);
    if (first !== undefined) {
      problems.push(
        `${where}: name "${result.data.name}" is already used by entry ${first}; give every model a unique name`,
      );
      return;
    }
    seen.set(result.data.name, index + 1);
    specs.push(Object.freeze(withoutUndefined(result.data)));
  });
  if (problems.length > 0) {
    throw new CodecLabError(
      'CONFIG_INVALID',
      `${source} has ${problems.length} problem(s):\n  ${problems.join('\n  ')}`,
    );
  }
  return Object.freeze(specs);
}

function withoutUndefined(data: z.output<typeof SPEC>): ModelSpec {
  return Object.fromEntries(
    Object.entries(data).filter(([, value]) => value !== undefined),
  ) as unknown as ModelSpec;
}

/** Dollars for a million input plus a million output tokens: how "cheap" ranks members. */
export function pricePerMTok(spec: ModelSpec, fallback: { in: number; out: number }): number {
  return (spec.price_in_per_mtok ?? fallback.in) + (spec.price_out_per_mtok ?? fallback.out);
}
