import { describe, expect, it } from 'vitest';
import { AnthropicGenerator } from '../../src/generators/anthropic-generator.js';
import { resolvePrice } from '../../src/generators/model-prices.js';
import { OpenAIGenerator } from '../../src/generators/openai-generator.js';
import { OfflineGenerator } from '../../src/generators/offline/offline-generator.js';
import { ReplayGenerator } from '../../src/generators/replay-generator.js';

const PRICING = {
  inputPerMTok: 3,
  outputPerMTok: 15,
  cacheWritePerMTok: 3.75,
  cacheReadPerMTok: 0.3,
};

describe('generator capabilities', () => {
  it('the offline search reads neither the prompt nor the parent', () => {
    expect(new OfflineGenerator({ seed: 1 }).capabilities).toEqual({
      usesPrompt: false,
      repairsParent: false,
    });
  });

  it('Claude, OpenAI-compatible models and recorded responses read the prompt and repair their parent', () => {
    const claude = new AnthropicGenerator({
      apiKey: 'sk-test',
      model: 'm',
      maxTokens: 10,
      pricing: PRICING,
    });
    const local = new OpenAIGenerator({
      apiKey: null,
      baseURL: 'http://localhost:11434/v1',
      model: 'm',
      maxTokens: 10,
      price: resolvePrice('m', 'http://localhost:11434/v1', undefined),
    });
    for (const generator of [claude, local, new ReplayGenerator('/nonexistent')]) {
      expect(generator.capabilities).toEqual({ usesPrompt: true, repairsParent: true });
    }
  });
});
