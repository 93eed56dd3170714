import { describe, expect, it } from 'vitest';

import { costUsd } from '../../src/generators/llm-api.js';
import {
  MODEL_PRICES,
  isLocalBaseUrl,
  isOpenAiHost,
  resolvePrice,
} from '../../src/generators/model-prices.js';

describe('isLocalBaseUrl', () => {
  it('is true for this machine and private networks', () => {
    for (const url of [
      'http://localhost:11434/v1',
      'http://127.0.0.1:8000/v1',
      'http://127.8.9.1/v1',
      'http://[::1]:8080/v1',
      'http://10.0.0.5:8000/v1',
      'http://172.20.1.1/v1',
      'http://192.168.1.20:1234/v1',
      'http://gpu-box.local:8000/v1',
      'http://[fd12:3456::1]/v1',
    ]) {
      expect(isLocalBaseUrl(url), url).toBe(true);
    }
  });

  it('is false for public hosts and addresses', () => {
    for (const url of [
      'https://api.openai.com/v1',
      'https://openrouter.ai/api/v1',
      'http://172.32.0.1/v1',
      'http://8.8.8.8/v1',
      'http://localhost.example.com/v1',
      'not a url',
    ]) {
      expect(isLocalBaseUrl(url), url).toBe(false);
    }
  });
});

describe('resolvePrice', () => {
  const OVERRIDE = { inputPerMTok: 1, outputPerMTok: 2, cachedInputPerMTok: 0.5 };

  it('lets an override win, even for a local server', () => {
    expect(resolvePrice('llama3', 'http://localhost:11434/v1', OVERRIDE)).toEqual({
      basis: 'override',
      pricing: { inputPerMTok: 1, outputPerMTok: 2, cacheWritePerMTok: 0, cacheReadPerMTok: 0.5 },
    });
  });

  it('makes a local server free, whatever the model is called', () => {
    const price = resolvePrice('gpt-4o', 'http://127.0.0.1:8000/v1', undefined);
    expect(price.basis).toBe('local');
    expect(costUsd(price.pricing, usage(1e6, 1e6, 1e6))).toBe(0);
  });

  it('prices a listed hosted model from the table', () => {
    const price = resolvePrice('gpt-4o-mini', 'https://api.openai.com/v1', undefined);
    expect(price.basis).toBe('table');
    const table = MODEL_PRICES['gpt-4o-mini']!;
    // 2M input, 1M output, 4M cached: 2×0.15 + 1×0.6 + 4×0.075
    expect(costUsd(price.pricing, usage(2e6, 1e6, 4e6))).toBeCloseTo(
      2 * table.inputPerMTok + table.outputPerMTok + 4 * table.cachedInputPerMTok,
      12,
    );
  });

  it('says a hosted model outside the table has an unknown price, and charges 0', () => {
    const price = resolvePrice('mistralai/codestral', 'https://openrouter.ai/api/v1', undefined);
    expect(price.basis).toBe('unknown');
    expect(costUsd(price.pricing, usage(1e6, 1e6, 0))).toBe(0);
    // Object's own properties are not models.
    expect(resolvePrice('constructor', 'https://api.openai.com/v1', undefined).basis).toBe(
      'unknown',
    );
  });
});

describe('isOpenAiHost', () => {
  it('is only api.openai.com', () => {
    expect(isOpenAiHost('https://api.openai.com/v1')).toBe(true);
    expect(isOpenAiHost('https://api.openai.com.evil.test/v1')).toBe(false);
    expect(isOpenAiHost('http://localhost:8080/v1')).toBe(false);
  });
});

function usage(input: number, output: number, cached: number) {
  return { inputTokens: input, outputTokens: output, cacheReadTokens: cached, cacheWriteTokens: 0 };
}
