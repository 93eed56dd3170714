/**
 * The flags that point a command at a model, shared by `run` (with `--generator`), `serve` and
 * `chat` (with `--provider`): `--model NAME` and `--base-url URL`. They land in the config of the
 * provider chosen (config.ts `ConfigOverrides`), so nothing else reads them.
 */
import { Option } from 'commander';
import { z } from 'zod';
import { MODEL_PROVIDERS, type ConfigOverrides, type ModelProvider } from '../config.js';

export const modelFlags = {
  model: z.string().min(1, '--model needs a model name').optional(),
  baseUrl: z.url({ error: '--base-url needs a URL such as http://localhost:11434/v1' }).optional(),
};

export const providerFlag = {
  provider: z
    .enum(MODEL_PROVIDERS, {
      error: (issue) => `--provider is anthropic or openai, not '${String(issue.input)}'`,
    })
    .optional(),
};

export function modelOption(name: 'model' | 'baseUrl' | 'provider'): Option {
  switch (name) {
    case 'model':
      return new Option(
        '--model <name>',
        'the model to ask (Anthropic: default CODEC_LAB_MODEL or claude-sonnet-4-5; openai: CODEC_LAB_OPENAI_MODEL)',
      );
    case 'baseUrl':
      return new Option(
        '--base-url <url>',
        "the provider's API (openai: default OPENAI_BASE_URL or https://api.openai.com/v1; e.g. http://localhost:11434/v1 for Ollama)",
      );
    case 'provider':
      return new Option(
        '--provider <name>',
        'the model the admin chat asks: anthropic (default, when a key is configured) | openai (an OpenAI-compatible server)',
      );
  }
}

/** The config overrides for `--model` / `--base-url` of `provider`. */
export function modelOverrides(
  provider: ModelProvider | undefined,
  flags: { readonly model?: string | undefined; readonly baseUrl?: string | undefined },
): Pick<ConfigOverrides, 'provider' | 'model' | 'baseUrl'> {
  return { provider, model: flags.model, baseUrl: flags.baseUrl };
}
