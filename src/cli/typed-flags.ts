/**
 * From commander's untyped option values to a typed object, one zod schema per command: the
 * schema states each flag's type, converts the values that need it (qualities, durations) and
 * checks the rules between flags. Every problem is reported at once, as a usage error (exit 2).
 */
import { z } from 'zod';
import { CodecLabError, isCodecLabError } from '../errors.js';

export function parseFlags<Schema extends z.ZodType>(
  schema: Schema,
  values: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  throw new CodecLabError('USAGE', parsed.error.issues.map((issue) => issue.message).join('; '));
}

/**
 * A text flag converted by `parse`, which throws a usage error saying what the flag takes;
 * that message becomes the schema's issue.
 */
export function converted<T>(parse: (text: string) => T) {
  return z.string().transform((text, context): T => {
    try {
      return parse(text);
    } catch (error) {
      if (!isCodecLabError(error, 'USAGE')) throw error;
      context.addIssue({ code: 'custom', message: error.message, input: text });
      return z.NEVER;
    }
  });
}

/** A switch such as `--json`: commander gives true when it is present, else nothing. */
export const flag = z.literal(true).optional();
