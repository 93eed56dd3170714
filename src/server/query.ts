/** Query and body parameters checked with zod; a bad one is a 400 that says what to send. */
import type { z } from 'zod';
import { HttpError } from './http-error.js';

export function parseParams<T extends z.ZodType>(
  schema: T,
  input: unknown,
  where: string,
): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.') || where;
    return `${name}: ${issue.message}`;
  });
  throw new HttpError(400, 'BAD_REQUEST', `bad ${where}: ${problems.join('; ')}`);
}
