import { describe, expect, it } from 'vitest';

import { isCodecLabError } from '../../src/errors.js';
import { AnthropicGenerator } from '../../src/generators/anthropic-generator.js';
import { costUsd, retryAfterMs } from '../../src/generators/llm-api.js';

const PRICING = {
  inputPerMTok: 3,
  outputPerMTok: 15,
  cacheWritePerMTok: 3.75,
  cacheReadPerMTok: 0.3,
};

describe('costUsd', () => {
  it('prices each kind of token per million', () => {
    const usage = {
      inputTokens: 1000,
      outputTokens: 2000,
      cacheWriteTokens: 4000,
      cacheReadTokens: 10_000,
    };
    // 1000×3 + 2000×15 + 4000×3.75 + 10000×0.3 = 3000 + 30000 + 15000 + 3000 micro-dollars
    expect(costUsd(PRICING, usage)).toBeCloseTo(0.051, 12);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  const headers = (entries: Record<string, string>): Headers => new Headers(entries);

  it('reads retry-after-ms first, then retry-after seconds or an HTTP date', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
    expect(retryAfterMs(headers({ 'retry-after': '7' }), now)).toBe(7000);
    expect(retryAfterMs(headers({ 'retry-after': '1.5' }), now)).toBe(1500);
    expect(retryAfterMs(headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }), now)).toBe(
      30_000,
    );
    expect(retryAfterMs(headers({ 'retry-after': 'Tue, 31 Dec 2024 00:00:00 GMT' }), now)).toBe(0);
  });

  it('is null without a usable header', () => {
    expect(retryAfterMs(undefined, now)).toBeNull();
    expect(retryAfterMs(headers({}), now)).toBeNull();
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), now)).toBeNull();
  });
});

describe('AnthropicGenerator', () => {
  it('refuses an empty key up front, saying what to set', () => {
    let error: unknown;
    try {
      new AnthropicGenerator({ apiKey: ' ', model: 'm', maxTokens: 10, pricing: PRICING });
    } catch (e) {
      error = e;
    }
    expect(isCodecLabError(error, 'API_KEY_MISSING')).toBe(true);
    expect((error as Error).message).toContain('ANTHROPIC_API_KEY');
  });
});
