import pino from 'pino';
import { describe, expect, it } from 'vitest';

import {
  createChatModel,
  createLlmGenerator,
  createOpenAI,
  modelPriceRecord,
} from '../../src/cli/llm-runtime.js';
import { loadConfig } from '../../src/config.js';
import { isCodecLabError } from '../../src/errors.js';
import { AnthropicGenerator } from '../../src/generators/anthropic-generator.js';
import { OfflineGenerator } from '../../src/generators/offline/offline-generator.js';
import { OpenAIGenerator } from '../../src/generators/openai-generator.js';

const log = pino({ level: 'silent' });

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('not an Error');
  return error;
}

describe('the model factories', () => {
  it('builds the provider asked for, with --model and --base-url from the config', async () => {
    const config = loadConfig(
      { ANTHROPIC_API_KEY: 'sk-ant-x' },
      { provider: 'openai', model: 'llama3', baseUrl: 'http://localhost:11434/v1' },
    );
    const openai = await createLlmGenerator(config, 'openai', log);
    expect(openai).toBeInstanceOf(OpenAIGenerator);
    expect(openai.model).toBe('llama3');
    const claude = await createLlmGenerator(config, 'anthropic', log);
    expect(claude).toBeInstanceOf(AnthropicGenerator);
    expect(claude.model).toBe('claude-sonnet-4-5');
  });

  it('asks for a model when the OpenAI-compatible provider has none', async () => {
    const error = await rejection(createOpenAI(loadConfig({}), log));
    expect(isCodecLabError(error, 'USAGE')).toBe(true);
    expect(error.message).toContain('--model');
    expect(error.message).toContain('CODEC_LAB_OPENAI_MODEL');
  });

  it('refuses api.openai.com without a key, and needs none for a local server', async () => {
    const hosted = loadConfig({ CODEC_LAB_OPENAI_MODEL: 'gpt-4o' });
    const error = await rejection(createOpenAI(hosted, log));
    expect(isCodecLabError(error, 'API_KEY_MISSING')).toBe(true);
    const local = loadConfig({
      CODEC_LAB_OPENAI_MODEL: 'gpt-4o',
      OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1',
    });
    expect((await createOpenAI(local, log)).price.basis).toBe('local');
  });

  it('gives the chat no Anthropic model without a key, and an OpenAI-compatible one always', async () => {
    const config = loadConfig({
      CODEC_LAB_OPENAI_MODEL: 'm',
      OPENAI_BASE_URL: 'http://[::1]:1/v1',
    });
    expect(await createChatModel(config, 'anthropic', log)).toBeNull();
    expect((await createChatModel(config, 'openai', log))?.model).toBe('m');
  });

  it('records how an OpenAI-compatible model was priced, keyed by its name', async () => {
    const config = loadConfig({
      OPENAI_API_KEY: 'sk-x',
      CODEC_LAB_OPENAI_MODEL: 'gpt-4o-mini',
      CODEC_LAB_OPENAI_PRICING: '1,2,0.5',
    });
    expect(modelPriceRecord(await createOpenAI(config, log))).toEqual({
      'gpt-4o-mini': {
        provider: 'openai',
        basis: 'override',
        input_per_mtok: 1,
        output_per_mtok: 2,
        cached_input_per_mtok: 0.5,
      },
    });
    expect(modelPriceRecord(new OfflineGenerator({ seed: 1 }))).toBeNull();
  });
});
