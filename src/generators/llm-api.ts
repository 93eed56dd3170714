/**
 * What the LLM generators share whatever the provider's protocol: pricing tokens, reading a
 * Retry-After, and turning what an SDK threw (after its own retries) into the project's errors.
 * Each generator classifies its SDK's error classes into an `ApiFailure`; the wording and the
 * decision (rate limited, key refused, unreachable) are made here, once. Pure.
 */
import { CodecLabError } from '../errors.js';
import { RateLimitedError, type Usage } from './generator.js';

/** US dollars per million tokens, by kind (the provider's price list for the model). */
export interface TokenPricing {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  /** Writing the prompt cache (Anthropic's 5-minute entries; 0 where writing is free). */
  readonly cacheWritePerMTok: number;
  readonly cacheReadPerMTok: number;
}

/** Dollars for the tokens of one response. `inputTokens` excludes the cached ones. */
export function costUsd(pricing: TokenPricing, usage: Omit<Usage, 'costUsd'>): number {
  const micro =
    usage.inputTokens * pricing.inputPerMTok +
    usage.outputTokens * pricing.outputPerMTok +
    usage.cacheWriteTokens * pricing.cacheWritePerMTok +
    usage.cacheReadTokens * pricing.cacheReadPerMTok;
  return micro / 1_000_000;
}

/** A token count the server reported, or 0 for anything that is not a non-negative number. */
export function tokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/** `retry-after-ms` or `retry-after` (seconds or an HTTP date), in milliseconds. */
export function retryAfterMs(headers: Headers | undefined, now: number): number | null {
  const ms = headers?.get('retry-after-ms');
  if (ms) {
    const value = Number.parseFloat(ms);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const after = headers?.get('retry-after');
  if (!after) return null;
  const seconds = Number(after.trim());
  if (after.trim() !== '' && Number.isFinite(seconds))
    return seconds >= 0 ? Math.round(seconds * 1000) : null;
  const date = Date.parse(after);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** What an SDK threw, classified by the generator from its own SDK's error classes. */
export type ApiFailure =
  | { readonly kind: 'timeout' }
  | { readonly kind: 'connection' }
  | { readonly kind: 'key_refused'; readonly status: number }
  | {
      readonly kind: 'status';
      readonly status: number | undefined;
      /** The API's error type (`invalid_request_error`), when it named one. */
      readonly type: string | undefined;
      readonly message: string;
      readonly headers: Headers | undefined;
    }
  /** Anything else: a body that did not parse, a bug. */
  | { readonly kind: 'other' };

/** How an API is named in messages, and the settings that fix it. */
export interface ApiDescription {
  /** 'the Messages API', 'the Chat Completions API'. */
  readonly name: string;
  readonly baseURL: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** What to do about a refused key, e.g. 'set a valid ANTHROPIC_API_KEY or …'. */
  readonly keyFix: string;
  /** The variable or flag that sets the base URL, e.g. 'ANTHROPIC_BASE_URL'. */
  readonly baseUrlSetting: string;
}

/** RateLimitedError for 429 and 529 (the loop backs off), CodecLabError for everything else. */
export function translateApiError(
  failure: ApiFailure,
  error: unknown,
  api: ApiDescription,
  now: number,
): Error {
  const cause = { cause: error };
  switch (failure.kind) {
    case 'timeout':
      return new CodecLabError(
        'LLM_FAILED',
        `${api.name} at ${api.baseURL} did not answer within ${api.timeoutMs} ms ` +
          `(after ${api.maxRetries} retries): raise the timeout or check the network`,
        cause,
      );
    case 'connection':
      return new CodecLabError(
        'LLM_FAILED',
        `could not reach ${api.name} at ${api.baseURL} (after ${api.maxRetries} ` +
          `retries): check the network and ${api.baseUrlSetting}`,
        cause,
      );
    case 'key_refused':
      return new CodecLabError(
        'API_KEY_MISSING',
        `${capitalised(api.name)} refused the API key (${failure.status}): ${api.keyFix}`,
        cause,
      );
    case 'status':
      if (failure.status === 429 || failure.status === 529) {
        const what = failure.status === 429 ? 'rate limited' : 'overloaded';
        return new RateLimitedError(
          `${api.name} is ${what} (${failure.status}) after ${api.maxRetries} retries`,
          retryAfterMs(failure.headers, now),
          cause,
        );
      }
      return new CodecLabError(
        'LLM_FAILED',
        `${api.name} failed with ${failure.status ?? 'no status'}` +
          `${failure.type ? ` (${failure.type})` : ''}: ${failure.message}`,
        cause,
      );
    case 'other': {
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return new CodecLabError(
        'LLM_FAILED',
        `${api.name} at ${api.baseURL} gave an unusable answer (${detail}); ` +
          `check ${api.baseUrlSetting} points at ${api.name}`,
        cause,
      );
    }
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
