/**
 * What a token of an OpenAI-compatible model costs, and why (docs/ARCHITECTURE.md §10.1):
 *
 * 1. a price the user set (CODEC_LAB_OPENAI_PRICING) wins: basis `override`;
 * 2. else a server on this machine or a private network (localhost, 127.0.0.0/8, ::1,
 *    10/8, 172.16/12, 192.168/16, 169.254/16, fc00::/7, *.local) costs 0: basis `local`. Its GPU
 *    time is not guessed;
 * 3. else a model in the table below costs what its provider lists: basis `table`;
 * 4. else 0 dollars, basis `unknown`: the record says the price was not known rather than
 *    inventing one.
 *
 * Pure: no I/O.
 */
import type { TokenPricing } from './llm-api.js';

/** Dollars per million tokens of a Chat Completions model (the cached prompt tokens apart). */
export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  readonly cachedInputPerMTok: number;
}

/**
 * OpenAI's list prices (standard tier, USD per million tokens) as published in 2025, keyed
 * by the model name sent in the request. Check them before relying on a dollar figure;
 * CODEC_LAB_OPENAI_PRICING overrides them.
 */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10, cachedInputPerMTok: 0.125 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2, cachedInputPerMTok: 0.025 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6, cachedInputPerMTok: 0.1 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4, cachedInputPerMTok: 0.025 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6, cachedInputPerMTok: 0.075 },
  o3: { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 },
  'o4-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4, cachedInputPerMTok: 0.275 },
});

export type PriceBasis = 'override' | 'local' | 'table' | 'unknown';

export interface ResolvedPrice {
  readonly basis: PriceBasis;
  /** What `costUsd` multiplies by (cache writes are free in Chat Completions). */
  readonly pricing: TokenPricing;
}

const FREE: TokenPricing = Object.freeze({
  inputPerMTok: 0,
  outputPerMTok: 0,
  cacheWritePerMTok: 0,
  cacheReadPerMTok: 0,
});

function tokenPricing(price: ModelPrice): TokenPricing {
  return {
    inputPerMTok: price.inputPerMTok,
    outputPerMTok: price.outputPerMTok,
    cacheWritePerMTok: 0,
    cacheReadPerMTok: price.cachedInputPerMTok,
  };
}

/** The rule above, for the model named in the request and the base URL it goes to. */
export function resolvePrice(
  model: string,
  baseURL: string,
  override: ModelPrice | undefined,
): ResolvedPrice {
  if (override !== undefined) return { basis: 'override', pricing: tokenPricing(override) };
  if (isLocalBaseUrl(baseURL)) return { basis: 'local', pricing: FREE };
  const listed = Object.hasOwn(MODEL_PRICES, model) ? MODEL_PRICES[model] : undefined;
  if (listed !== undefined) return { basis: 'table', pricing: tokenPricing(listed) };
  return { basis: 'unknown', pricing: FREE };
}

/** True when the URL's host is this machine or a private (non-routable) address. */
export function isLocalBaseUrl(baseURL: string): boolean {
  let host: string;
  try {
    host = new URL(baseURL).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')) return true;
  if (host === '::1' || /^f[cd][0-9a-f]{2}:/.test(host) || /^fe[89ab][0-9a-f]:/.test(host))
    return true;
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (octets === null) return false;
  const [a, b] = [Number(octets[1]), Number(octets[2])];
  return (
    a === 127 ||
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254)
  );
}

/** True for OpenAI's own API, where a request without a key is refused. */
export function isOpenAiHost(baseURL: string): boolean {
  try {
    const host = new URL(baseURL).hostname.toLowerCase();
    return host === 'api.openai.com';
  } catch {
    return false;
  }
}
