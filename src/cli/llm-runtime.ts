import type { Config } from '../config.js';
import { AnthropicGenerator } from '../generators/anthropic-generator.js';
import type { Logger } from '../logger.js';
import { AwsSecretSource } from '../secrets/secret-source.js';

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
