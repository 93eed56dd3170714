import {
  RateLimitedError,
  type CodeGenerator,
  type Generation,
  type GenerationContext,
} from '../generators/generator.js';
import type { Logger } from '../logger.js';
import type { Clock } from './clock.js';

const FIRST_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * One generation, waiting out rate limits (Retry-After when the provider gives one, else
 * doubling from 5 s, at most 5 min): the only retry outside the SDK. Null when `signal` aborts
 * during a wait; any other error is thrown.
 */
export async function generateWithBackoff(
  generator: CodeGenerator,
  context: GenerationContext,
  clock: Clock,
  log: Logger,
  signal: AbortSignal,
): Promise<Generation | null> {
  let backoffMs = FIRST_BACKOFF_MS;
  for (;;) {
    try {
      return await generator.generate(context);
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      const waitMs = Math.min(error.retryAfterMs ?? backoffMs, MAX_BACKOFF_MS);
      log.warn({ waitMs, iteration: context.iteration }, 'rate limited: backing off');
      await clock.sleep(waitMs, signal);
      if (signal.aborted) return null;
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    }
  }
}
