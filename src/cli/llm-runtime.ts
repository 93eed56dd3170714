import { readFileSync } from 'node:fs';
import type { Config } from '../config.js';
import { CodecLabError } from '../errors.js';
import { AnthropicGenerator, type TokenPricing } from '../generators/anthropic-generator.js';
import {
  EnsembleGenerator,
  type ProviderFactory,
} from '../generators/ensemble/ensemble-generator.js';
import { parseModels, pricePerMTok, type ModelSpec } from '../generators/ensemble/model-spec.js';
import type { ModelPolicy } from '../generators/ensemble/policies.js';
import type { Logger } from '../logger.js';
import { AwsSecretSource } from '../secrets/secret-source.js';
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
 * OpenAI-compatible members are not built into this build yet.
 */
export function providerFactory(config: Config, log: Logger): ProviderFactory {
  let key: Promise<string> | null = null;
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
      case 'openai':
        throw new CodecLabError(
          'CONFIG_INVALID',
          `--models entry "${spec.name}": provider openai is not available in this build; use provider "anthropic" or remove the entry`,
        );
    }
  };
}

/** Dollars per million input + output tokens that rank a member as cheap (repairs). */
function memberPrice(spec: ModelSpec, config: Config): number {
  return pricePerMTok(spec, {
    in: spec.provider === 'anthropic' ? config.llm.pricing.inputPerMTok : 0,
    out: spec.provider === 'anthropic' ? config.llm.pricing.outputPerMTok : 0,
  });
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
