/**
 * The ensemble's provider factory (cli/llm-runtime.ts `providerFactory`) for OpenAI-compatible
 * members: each member's client asks the member's server for the member's model with the key
 * fetched once, priced by the entry (basis override) or by model-prices.ts's rule; the run's
 * price record covers every OpenAI-compatible member.
 */
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import {
  createEnsemble,
  modelPriceRecord,
  openAiMemberPrice,
  providerFactory,
} from '../../src/cli/llm-runtime.js';
import { loadConfig } from '../../src/config.js';
import { isCodecLabError } from '../../src/errors.js';
import { AnthropicGenerator } from '../../src/generators/anthropic-generator.js';
import { parseModels, type ModelSpec } from '../../src/generators/ensemble/model-spec.js';
import { OpenAIGenerator } from '../../src/generators/openai-generator.js';
import { AwsSecretSource } from '../../src/secrets/secret-source.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { LocalChatCompletionsApi } from '../integration/chat-completions-api.js';

const log = pino({ level: 'silent' });
const KEY = 'sk-openai-unit-93af';

let first: LocalChatCompletionsApi;
let second: LocalChatCompletionsApi;

beforeAll(async () => {
  first = new LocalChatCompletionsApi(KEY);
  second = new LocalChatCompletionsApi(KEY);
  await first.start();
  await second.start();
});

afterAll(async () => {
  await first.stop();
  await second.stop();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const specs = (entries: readonly Record<string, unknown>[]): readonly ModelSpec[] =>
  parseModels(JSON.stringify(entries), 'models.json');

describe('providerFactory: OpenAI-compatible members', () => {
  it("asks the member's server for the member's model, priced by the entry (basis override)", async () => {
    const config = loadConfig({ OPENAI_API_KEY: KEY, CODEC_LAB_OPENAI_MODEL: 'not-this' });
    const [spec] = specs([
      {
        name: 'qwen',
        provider: 'openai',
        model: 'qwen2.5-coder:7b',
        base_url: first.baseURL,
        price_in_per_mtok: 0.2,
        price_out_per_mtok: 0.8,
      },
    ]);
    const client = await providerFactory(config, log)(spec as ModelSpec);
    expect(client).toBeInstanceOf(OpenAIGenerator);
    const openai = client as OpenAIGenerator;
    expect(openai.model).toBe('qwen2.5-coder:7b');
    expect(openai.price).toEqual({
      basis: 'override',
      pricing: {
        inputPerMTok: 0.2,
        outputPerMTok: 0.8,
        cacheWritePerMTok: 0,
        cacheReadPerMTok: 0.2,
      },
    });
    first.reply('hello from qwen');
    expect(await openai.complete('system', 'user')).toBe('hello from qwen');
    expect(first.models()).toEqual(['qwen2.5-coder:7b']);
    expect(first.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('prices a local member without prices at 0 (basis local), and needs no key', async () => {
    const secret = vi.spyOn(AwsSecretSource.prototype, 'get');
    const config = loadConfig({});
    const [spec] = specs([
      { name: 'llama', provider: 'openai', model: 'llama3', base_url: 'http://localhost:11434/v1' },
    ]);
    const client = (await providerFactory(config, log)(spec as ModelSpec)) as OpenAIGenerator;
    expect(client.price.basis).toBe('local');
    expect(client.price.pricing).toMatchObject({ inputPerMTok: 0, outputPerMTok: 0 });
    expect(secret).not.toHaveBeenCalled();
  });

  it('fills a price the entry leaves out from the price rule, as the repair ranking does', () => {
    const config = loadConfig({});
    const [hosted, local] = specs([
      { name: 'mini', provider: 'openai', model: 'gpt-4o-mini', price_out_per_mtok: 1 },
      {
        name: 'local',
        provider: 'openai',
        model: 'x',
        base_url: 'http://127.0.0.1:1/v1',
        price_in_per_mtok: 0.5,
      },
    ]);
    // gpt-4o-mini's table input and cached prices, the entry's output price.
    expect(openAiMemberPrice(hosted as ModelSpec, config)).toEqual({
      inputPerMTok: 0.15,
      outputPerMTok: 1,
      cachedInputPerMTok: 0.075,
    });
    expect(openAiMemberPrice(local as ModelSpec, config)).toEqual({
      inputPerMTok: 0.5,
      outputPerMTok: 0,
      cachedInputPerMTok: 0.5,
    });
  });

  it('uses OPENAI_API_KEY for every member without asking Secrets Manager', async () => {
    const secret = vi.spyOn(AwsSecretSource.prototype, 'get');
    const config = loadConfig({ OPENAI_API_KEY: KEY, CODEC_LAB_OPENAI_SECRET_ID: 'some/secret' });
    const factory = providerFactory(config, log);
    for (const [name, api] of [
      ['a', first],
      ['b', second],
    ] as const) {
      const [spec] = specs([
        { name, provider: 'openai', model: `m-${name}`, base_url: api.baseURL },
      ]);
      const client = (await factory(spec as ModelSpec)) as OpenAIGenerator;
      api.reply('ok');
      await client.complete('s', 'u');
      expect(api.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
    }
    expect(secret).not.toHaveBeenCalled();
  });

  it('fetches the secret once for several OpenAI-compatible members', async () => {
    const secret = vi.spyOn(AwsSecretSource.prototype, 'get').mockResolvedValue(KEY);
    const config = loadConfig({
      CODEC_LAB_OPENAI_SECRET_ID: 'team/openai',
      AWS_REGION: 'eu-west-1',
    });
    const ensemble = await createEnsemble(
      config,
      specs([
        { name: 'a', provider: 'openai', model: 'm-a', base_url: first.baseURL },
        { name: 'b', provider: 'openai', model: 'm-b', base_url: second.baseURL },
        { name: 'c', provider: 'openai', model: 'gpt-4o' },
      ]),
      { policy: 'weighted', seed: 1 },
      new MemoryStore(),
      log,
    );
    expect(secret).toHaveBeenCalledTimes(1);
    expect(ensemble.clients.map((c) => (c as OpenAIGenerator).model)).toEqual([
      'm-a',
      'm-b',
      'gpt-4o',
    ]);
    second.reply('keyed');
    expect(await (ensemble.clients[1] as OpenAIGenerator).complete('s', 'u')).toBe('keyed');
    expect(second.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
  });
});

describe('modelPriceRecord of an ensemble', () => {
  const config = loadConfig({ ANTHROPIC_API_KEY: 'sk-ant-x', OPENAI_API_KEY: KEY });
  const build = (entries: readonly Record<string, unknown>[]) =>
    createEnsemble(config, specs(entries), { policy: 'bandit', seed: 1 }, new MemoryStore(), log);

  it("records every OpenAI-compatible member's price by model; Anthropic members have none", async () => {
    const ensemble = await build([
      { name: 'claude', provider: 'anthropic', model: 'claude-haiku-4-5' },
      {
        name: 'paid',
        provider: 'openai',
        model: 'qwen-big',
        base_url: 'https://example.com/v1',
        price_in_per_mtok: 3,
        price_out_per_mtok: 15,
      },
      { name: 'local', provider: 'openai', model: 'llama3', base_url: 'http://127.0.0.1:9/v1' },
      { name: 'table', provider: 'openai', model: 'gpt-4.1-nano' },
    ]);
    expect(ensemble.clients[0]).toBeInstanceOf(AnthropicGenerator);
    expect(modelPriceRecord(ensemble)).toEqual({
      'qwen-big': {
        provider: 'openai',
        basis: 'override',
        input_per_mtok: 3,
        output_per_mtok: 15,
        cached_input_per_mtok: 3,
      },
      llama3: {
        provider: 'openai',
        basis: 'local',
        input_per_mtok: 0,
        output_per_mtok: 0,
        cached_input_per_mtok: 0,
      },
      'gpt-4.1-nano': {
        provider: 'openai',
        basis: 'table',
        input_per_mtok: 0.1,
        output_per_mtok: 0.4,
        cached_input_per_mtok: 0.025,
      },
    });
  });

  it('is null for an all-Anthropic ensemble', async () => {
    const ensemble = await build([{ name: 'claude', provider: 'anthropic', model: 'claude-x' }]);
    expect(modelPriceRecord(ensemble)).toBeNull();
  });

  it('refuses two members naming one model at different prices', async () => {
    const ensemble = await build([
      { name: 'here', provider: 'openai', model: 'qwen', base_url: 'http://127.0.0.1:9/v1' },
      {
        name: 'there',
        provider: 'openai',
        model: 'qwen',
        base_url: 'https://example.com/v1',
        price_in_per_mtok: 1,
        price_out_per_mtok: 2,
      },
    ]);
    let error: unknown;
    try {
      modelPriceRecord(ensemble);
    } catch (e) {
      error = e;
    }
    expect(isCodecLabError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('"qwen"');
  });
});
