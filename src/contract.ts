import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The codec contract, defined once in sandbox-image/contract.json and read here (for the
 * prompt and the docs), by the validator and by the harness inside the image.
 */
const contractSchema = z.object({
  allowed_modules: z.array(z.string()).min(1),
  forbidden_calls: z.array(z.string()),
  forbidden_attributes: z.array(z.string()),
  forbidden_module_attributes: z.record(z.string(), z.array(z.string())),
  /** Attribute names refused on any object (file and code loading), by name or prefix. */
  banned_attributes: z.object({
    names: z.array(z.string()),
    prefixes: z.array(z.string()),
    allowed: z.array(z.string()),
    module_exceptions: z.record(z.string(), z.array(z.string())),
  }),
  required_functions: z.record(z.string(), z.array(z.string())),
  max_source_bytes: z.number().int().positive(),
  /** The optional TUNABLES literal's limits (docs/ARCHITECTURE.md §2.1). */
  tunables: z.object({
    max_entries: z.number().int().positive(),
    max_choices: z.number().int().positive(),
    max_name_chars: z.number().int().positive(),
    types: z.array(z.enum(['float', 'int', 'choice'])),
  }),
});

export type CodecContract = z.infer<typeof contractSchema>;

/**
 * The quality points of an evaluation's sweep (`config["quality"]` in [0, 1]) when none are
 * given, and of the JPEG anchor: one list, so candidates and anchor are measured alike. Five
 * points leave BD-rate (which needs four) room after dominated points are pruned.
 */
export const DEFAULT_QUALITIES: readonly number[] = Object.freeze([0.1, 0.3, 0.5, 0.7, 0.9]);

/** Both src/ and dist/ sit one level below the package root. */
export const SANDBOX_IMAGE_DIR = new URL('../sandbox-image/', import.meta.url);

export function loadContract(): CodecContract {
  const text = readFileSync(new URL('contract.json', SANDBOX_IMAGE_DIR), 'utf8');
  return contractSchema.parse(JSON.parse(text));
}
