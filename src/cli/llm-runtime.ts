import { readFileSync } from 'node:fs';
import type { Config, ModelProvider } from '../config.js';
import { CodecLabError } from '../errors.js';
import { AnthropicGenerator } from '../generators/anthropic-generator.js';
import {
  EnsembleGenerator,
  type ProviderFactory,
} from '../generators/ensemble/ensemble-generator.js';
import { parseModels, pricePerMTok, type ModelSpec } from '../generators/ensemble/model-spec.js';
import type { ModelPolicy } from '../generators/ensemble/policies.js';
import type { CodeGenerator, ModelClient } from '../generators/generator.js';
import type { TokenPricing } from '../generators/llm-api.js';
import { resolvePrice, type ModelPrice, type ResolvedPrice } from '../generators/model-prices.js';
import { OpenAIGenerator } from '../generators/openai-generator.js';
import type { Logger } from '../logger.js';
import { AwsSecretSource, OPENAI_SECRET_JSON_KEYS } from '../secrets/secret-source.js';
import type { Store } from '../store/store.js';

/** Whether an Anthropic key is configured (the environment, or Secrets Manager via a region). */
export function llmConfigured(config: Config): boolean {
  return Boolean(config.llm.apiKey || config.llm.awsRegion);
}

/** ANTHROPIC_API_KEY, or the key fetched from Secrets Manager. */
async function anthropicKey(config: Config): Promise<string> {
  return (
    config.llm.apiKey ??
    (await new AwsSecretSource({
      region: config.llm.awsRegion ?? 'us-east-1',
      secretId: config.llm.secretId,
    }).get())
  );
}

/** What one Anthropic client is asked to be, beyond the configured defaults. */
export interface AnthropicOverrides {
  readonly model?: string;
  readonly baseUrl?: string;
  readonly pricing?: TokenPricing;
  /** Already fetched (an ensemble fetches the key once for all its Anthropic members). */
  readonly apiKey?: string;
  readonly component?: string;
}

/** The Anthropic client, its key from ANTHROPIC_API_KEY or fetched once from Secrets Manager. */
export async function createAnthropic(
  config: Config,
  log: Logger,
  overrides: AnthropicOverrides = {},
): Promise<AnthropicGenerator> {
  const apiKey = overrides.apiKey ?? (await anthropicKey(config));
  const baseUrl = overrides.baseUrl ?? config.llm.baseUrl;
  return new AnthropicGenerator({
    apiKey,
    ...(baseUrl ? { baseURL: baseUrl } : {}),
    model: overrides.model ?? config.llm.model,
    maxTokens: config.llm.maxTokens,
    pricing: overrides.pricing ?? config.llm.pricing,
    logger: log.child({ component: overrides.component ?? 'anthropic' }),
  });
}

/**
 * A member's prices: its `price_in_per_mtok`/`price_out_per_mtok`, else the configured ones
 * (CODEC_LAB_PRICING). Given an input price, prompt-cache writes cost 1.25× and reads 0.1× it
 * (Anthropic's ratios).
 */
export function anthropicMemberPricing(spec: ModelSpec, fallback: TokenPricing): TokenPricing {
  if (spec.price_in_per_mtok === undefined && spec.price_out_per_mtok === undefined) {
    return fallback;
  }
  const input = spec.price_in_per_mtok ?? fallback.inputPerMTok;
  return {
    inputPerMTok: input,
    outputPerMTok: spec.price_out_per_mtok ?? fallback.outputPerMTok,
    cacheWritePerMTok:
      spec.price_in_per_mtok === undefined ? fallback.cacheWritePerMTok : input * 1.25,
    cacheReadPerMTok:
      spec.price_in_per_mtok === undefined ? fallback.cacheReadPerMTok : input * 0.1,
  };
}

/**
 * THE provider seam of the ensemble: one client per `--models` entry. Anthropic members are
 * AnthropicGenerators with the member's model, base_url and prices (the key fetched once).
 * OpenAI-compatible members are OpenAIGenerators with the member's model, base_url and prices
 * (the price-table rule of model-prices.ts when the entry gives none).
 */
export function providerFactory(config: Config, log: Logger): ProviderFactory {
  let key: Promise<string> | null = null;
  let openaiKey: Promise<string | null> | null = null;
  return async (spec) => {
    switch (spec.provider) {
      case 'anthropic':
        key ??= anthropicKey(config);
        return createAnthropic(config, log, {
          apiKey: await key,
          model: spec.model,
          ...(spec.base_url ? { baseUrl: spec.base_url } : {}),
          pricing: anthropicMemberPricing(spec, config.llm.pricing),
          component: `anthropic:${spec.name}`,
        });
      case 'openai': {
        openaiKey ??= openAiKey(config);
        const price = openAiMemberPrice(spec, config);
        return createOpenAI(config, log, {
          apiKey: await openaiKey,
          model: spec.model,
          ...(spec.base_url ? { baseUrl: spec.base_url } : {}),
          ...(price ? { price } : {}),
          component: `openai:${spec.name}`,
        });
      }
    }
  };
}

/**
 * An OpenAI-compatible member's `price_in_per_mtok`/`price_out_per_mtok` as a price override,
 * else undefined: the price rule of model-prices.ts then applies (CODEC_LAB_OPENAI_PRICING,
 * else a local server costs 0, else the table). A price the entry leaves out is the one that
 * rule gives, as `memberPrice` ranks it; cached prompt tokens cost the entry's input price (no
 * discount is assumed) when it gives one.
 */
export function openAiMemberPrice(spec: ModelSpec, config: Config): ModelPrice | undefined {
  if (spec.price_in_per_mtok === undefined && spec.price_out_per_mtok === undefined) {
    return undefined;
  }
  const { pricing } = openAiRulePrice(spec, config);
  return {
    inputPerMTok: spec.price_in_per_mtok ?? pricing.inputPerMTok,
    outputPerMTok: spec.price_out_per_mtok ?? pricing.outputPerMTok,
    cachedInputPerMTok: spec.price_in_per_mtok ?? pricing.cacheReadPerMTok,
  };
}

/** model-prices.ts's rule for an OpenAI-compatible member, the entry's own prices aside. */
function openAiRulePrice(spec: ModelSpec, config: Config): ResolvedPrice {
  return resolvePrice(spec.model, spec.base_url ?? config.openai.baseUrl, config.openai.pricing);
}

/** Dollars per million input + output tokens that rank a member as cheap (repairs). */
function memberPrice(spec: ModelSpec, config: Config): number {
  const pricing =
    spec.provider === 'anthropic' ? config.llm.pricing : openAiRulePrice(spec, config).pricing;
  return pricePerMTok(spec, { in: pricing.inputPerMTok, out: pricing.outputPerMTok });
}

/** Reads and checks a `--models` file (every problem at once). */
export function readModelsFile(path: string): readonly ModelSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CodecLabError(
      'USAGE',
      `cannot read --models ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}); give the path of a JSON list of models`,
      { cause: error },
    );
  }
  return parseModels(text, path);
}

/** `run --models FILE`: the ensemble, its policies' state read from the store at every pick. */
export async function createEnsemble(
  config: Config,
  specs: readonly ModelSpec[],
  settings: { readonly policy: ModelPolicy; readonly seed: number },
  store: Store,
  log: Logger,
  factory: ProviderFactory = providerFactory(config, log),
): Promise<EnsembleGenerator> {
  return EnsembleGenerator.create(specs, factory, (spec) => memberPrice(spec, config), {
    ...settings,
    outcomes: () => store.modelOutcomes(),
    logger: log.child({ component: 'ensemble' }),
  });
}

/**
 * The OpenAI-compatible client: the key from OPENAI_API_KEY, else fetched once from the secret
 * named by CODEC_LAB_OPENAI_SECRET_ID, else none (fine for a local server; the generator
 * refuses api.openai.com without one). The price follows model-prices.ts's rule.
 */
export async function createOpenAI(
  config: Config,
  log: Logger,
  overrides: OpenAIOverrides = {},
): Promise<OpenAIGenerator> {
  const { openai } = config;
  const model = overrides.model ?? openai.model;
  if (model === undefined) {
    throw new CodecLabError(
      'USAGE',
      'the OpenAI-compatible provider needs a model: pass --model NAME (e.g. qwen2.5-coder:7b ' +
        'for Ollama) or set CODEC_LAB_OPENAI_MODEL',
    );
  }
  const apiKey = overrides.apiKey !== undefined ? overrides.apiKey : await openAiKey(config);
  const baseUrl = overrides.baseUrl ?? openai.baseUrl;
  const price = resolvePrice(model, baseUrl, overrides.price ?? openai.pricing);
  const logger = log.child({ component: overrides.component ?? 'openai' });
  if (price.basis === 'unknown') {
    logger.warn(
      { model, baseUrl },
      'no price known for this model: its attempts cost 0 dollars; set CODEC_LAB_OPENAI_PRICING',
    );
  }
  return new OpenAIGenerator({
    apiKey,
    baseURL: baseUrl,
    model,
    maxTokens: config.llm.maxTokens,
    price,
    logger,
  });
}

/** What one OpenAI-compatible client is asked to be, beyond the configured defaults. */
export interface OpenAIOverrides {
  readonly model?: string;
  readonly baseUrl?: string;
  readonly price?: ModelPrice;
  /** Already fetched (an ensemble fetches the key once for all its OpenAI members). */
  readonly apiKey?: string | null;
  readonly component?: string;
}

/** OPENAI_API_KEY, else the secret named by CODEC_LAB_OPENAI_SECRET_ID, else none. */
async function openAiKey(config: Config): Promise<string | null> {
  const { openai } = config;
  if (openai.apiKey !== undefined) return openai.apiKey;
  if (openai.secretId === undefined) return null;
  return new AwsSecretSource({
    region: config.llm.awsRegion ?? 'us-east-1',
    secretId: openai.secretId,
    keyVariable: 'OPENAI_API_KEY',
    jsonKeys: OPENAI_SECRET_JSON_KEYS,
  }).get();
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
  if (generator instanceof EnsembleGenerator) return ensemblePriceRecord(generator);
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

/**
 * An ensemble's record: its OpenAI-compatible members' records, keyed by model. Two members that
 * name the same model at different prices are refused: the attempts' model could not say which
 * price its dollars came from.
 */
function ensemblePriceRecord(ensemble: EnsembleGenerator): Record<string, unknown> | null {
  const merged: Record<string, unknown> = {};
  for (const client of ensemble.clients) {
    for (const [model, record] of Object.entries(modelPriceRecord(client) ?? {})) {
      if (model in merged && JSON.stringify(merged[model]) !== JSON.stringify(record)) {
        throw new CodecLabError(
          'CONFIG_INVALID',
          `--models: two OpenAI-compatible entries name model "${model}" at different prices (${JSON.stringify(merged[model])} and ${JSON.stringify(record)}); give them the same price_in_per_mtok/price_out_per_mtok, or run them as separate runs`,
        );
      }
      merged[model] = record;
    }
  }
  return Object.keys(merged).length === 0 ? null : merged;
}
