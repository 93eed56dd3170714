import type { Config, ModelProvider } from '../config.js';
import { CodecLabError } from '../errors.js';
import { AnthropicGenerator } from '../generators/anthropic-generator.js';
import type { CodeGenerator, ModelClient } from '../generators/generator.js';
import { resolvePrice } from '../generators/model-prices.js';
import { OpenAIGenerator } from '../generators/openai-generator.js';
import type { Logger } from '../logger.js';
import { AwsSecretSource, OPENAI_SECRET_JSON_KEYS } from '../secrets/secret-source.js';

/** Whether an Anthropic key is configured (the environment, or Secrets Manager via a region). */
export function llmConfigured(config: Config): boolean {
  return Boolean(config.llm.apiKey || config.llm.awsRegion);
}

/** The Anthropic client, its key from ANTHROPIC_API_KEY or fetched once from Secrets Manager. */
export async function createAnthropic(config: Config, log: Logger): Promise<AnthropicGenerator> {
  const apiKey =
    config.llm.apiKey ??
    (await new AwsSecretSource({
      region: config.llm.awsRegion ?? 'us-east-1',
      secretId: config.llm.secretId,
    }).get());
  return new AnthropicGenerator({
    apiKey,
    ...(config.llm.baseUrl ? { baseURL: config.llm.baseUrl } : {}),
    model: config.llm.model,
    maxTokens: config.llm.maxTokens,
    pricing: config.llm.pricing,
    logger: log.child({ component: 'anthropic' }),
  });
}

/**
 * The OpenAI-compatible client: the key from OPENAI_API_KEY, else fetched once from the secret
 * named by CODEC_LAB_OPENAI_SECRET_ID, else none (fine for a local server; the generator
 * refuses api.openai.com without one). The price follows model-prices.ts's rule.
 */
export async function createOpenAI(config: Config, log: Logger): Promise<OpenAIGenerator> {
  const { openai } = config;
  if (openai.model === undefined) {
    throw new CodecLabError(
      'USAGE',
      'the OpenAI-compatible provider needs a model: pass --model NAME (e.g. qwen2.5-coder:7b ' +
        'for Ollama) or set CODEC_LAB_OPENAI_MODEL',
    );
  }
  const apiKey =
    openai.apiKey ??
    (openai.secretId === undefined
      ? null
      : await new AwsSecretSource({
          region: config.llm.awsRegion ?? 'us-east-1',
          secretId: openai.secretId,
          keyVariable: 'OPENAI_API_KEY',
          jsonKeys: OPENAI_SECRET_JSON_KEYS,
        }).get());
  const price = resolvePrice(openai.model, openai.baseUrl, openai.pricing);
  const logger = log.child({ component: 'openai' });
  if (price.basis === 'unknown') {
    logger.warn(
      { model: openai.model, baseUrl: openai.baseUrl },
      'no price known for this model: its attempts cost 0 dollars; set CODEC_LAB_OPENAI_PRICING',
    );
  }
  return new OpenAIGenerator({
    apiKey,
    baseURL: openai.baseUrl,
    model: openai.model,
    maxTokens: config.llm.maxTokens,
    price,
    logger,
  });
}

/** The generator of an LLM provider (`run --generator anthropic|openai`). */
export function createLlmGenerator(
  config: Config,
  provider: ModelProvider,
  log: Logger,
): Promise<CodeGenerator & ModelClient> {
  return provider === 'openai' ? createOpenAI(config, log) : createAnthropic(config, log);
}

/**
 * The model the admin chat asks (`serve`, `chat`, `--provider`): null when the provider is
 * Anthropic and no Anthropic key is configured (the chat answers from the data alone). An
 * OpenAI-compatible provider is always "configured" (a local server needs no key).
 */
export async function createChatModel(
  config: Config,
  provider: ModelProvider,
  log: Logger,
): Promise<ModelClient | null> {
  if (provider === 'anthropic' && !llmConfigured(config)) return null;
  return createLlmGenerator(config, provider, log);
}

/**
 * What the run records about its model's price (in every attempt's settings, keyed by the
 * model name the attempts carry): how the dollars were reached, so a 0 from a local model or an
 * unknown price is not read as a measured zero.
 */
export function modelPriceRecord(generator: CodeGenerator): Record<string, unknown> | null {
  if (generator instanceof OpenAIGenerator) {
    const { basis, pricing } = generator.price;
    return {
      [generator.model]: {
        provider: 'openai',
        basis,
        input_per_mtok: pricing.inputPerMTok,
        output_per_mtok: pricing.outputPerMTok,
        cached_input_per_mtok: pricing.cacheReadPerMTok,
      },
    };
  }
  return null;
}
