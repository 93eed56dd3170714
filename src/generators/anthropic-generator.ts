import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  PermissionDeniedError,
  type ClientOptions,
} from '@anthropic-ai/sdk';
import type { Message } from '@anthropic-ai/sdk/resources/messages/messages.js';
import { CodecLabError } from '../errors.js';
import type { Logger } from '../logger.js';
import { extractCode } from './extract-code.js';
import {
  PROMPTED_CAPABILITIES,
  RateLimitedError,
  type CodeGenerator,
  type Generation,
  type GenerationContext,
  type Usage,
} from './generator.js';

/** US dollars per million tokens, by kind (the provider's price list for the model). */
export interface TokenPricing {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  /** Writing the prompt cache (5-minute entries). */
  readonly cacheWritePerMTok: number;
  readonly cacheReadPerMTok: number;
}

export interface AnthropicGeneratorOptions {
  /** Fetched once by the caller from a SecretSource. */
  readonly apiKey: string;
  /** ANTHROPIC_BASE_URL as the caller read it; default https://api.anthropic.com. */
  readonly baseURL?: string;
  readonly model: string;
  readonly maxTokens: number;
  /** One HTTP attempt's limit. Default 5 minutes. */
  readonly timeoutMs?: number;
  /** The SDK's own retries of transient failures (429, 5xx, 529, connection). Default 2. */
  readonly maxRetries?: number;
  readonly pricing: TokenPricing;
  readonly logger?: Logger;
  /** For tests: the SDK's fetch. */
  readonly fetch?: ClientOptions['fetch'];
  /** For Retry-After dates. */
  readonly now?: () => number;
}

export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

/**
 * Claude through @anthropic-ai/sdk's Messages API. The stable system prompt is sent as a
 * cached content block; the per-iteration user prompt follows. Retries are the SDK's (one
 * place); what is left after them is thrown as RateLimitedError (429, 529) for the loop's
 * backoff, or CodecLabError.
 */
export class AnthropicGenerator implements CodeGenerator {
  readonly name = 'anthropic';
  readonly capabilities = PROMPTED_CAPABILITIES;
  private readonly client: Anthropic;
  private readonly now: () => number;

  constructor(private readonly options: AnthropicGeneratorOptions) {
    if (options.apiKey.trim() === '') {
      throw new CodecLabError(
        'API_KEY_MISSING',
        'the Anthropic API key is empty: set ANTHROPIC_API_KEY or store it in AWS Secrets Manager',
      );
    }
    this.now = options.now ?? Date.now;
    const log = options.logger;
    this.client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseURL ?? DEFAULT_ANTHROPIC_BASE_URL,
      timeout: options.timeoutMs ?? 300_000,
      maxRetries: options.maxRetries ?? 2,
      openTelemetry: false,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(log
        ? {
            logLevel: 'warn' as const,
            logger: {
              error: (message: string): void => log.error({ component: 'anthropic-sdk' }, message),
              warn: (message: string): void => log.warn({ component: 'anthropic-sdk' }, message),
              info: (message: string): void => log.info({ component: 'anthropic-sdk' }, message),
              debug: (message: string): void => log.debug({ component: 'anthropic-sdk' }, message),
            },
          }
        : {}),
    });
  }

  async generate(context: GenerationContext): Promise<Generation> {
    let message: Message;
    try {
      message = await this.client.messages.create({
        model: this.options.model,
        max_tokens: this.options.maxTokens,
        system: [
          { type: 'text', text: context.prompt.system, cache_control: { type: 'ephemeral' } },
        ],
        messages: [{ role: 'user', content: context.prompt.user }],
      });
    } catch (error) {
      throw this.translate(error);
    }
    return this.toGeneration(message);
  }

  get model(): string {
    return this.options.model;
  }

  /**
   * One plain question to the model (the admin chat): no tools, no caching, a short answer.
   * Errors are translated like generate()'s.
   */
  async complete(system: string, user: string, signal?: AbortSignal): Promise<string> {
    let message: Message;
    try {
      message = await this.client.messages.create(
        {
          model: this.options.model,
          max_tokens: Math.min(this.options.maxTokens, 2000),
          system,
          messages: [{ role: 'user', content: user }],
        },
        signal ? { signal } : {},
      );
    } catch (error) {
      throw this.translate(error);
    }
    if (typeof message !== 'object' || message === null || !Array.isArray(message.content)) {
      throw new CodecLabError(
        'LLM_FAILED',
        `the Messages API at ${this.baseURL()} answered without a message`,
      );
    }
    const usage = this.usageOf(message);
    this.options.logger?.info(
      {
        component: 'chat',
        model: message.model,
        costUsd: usage.costUsd,
        outputTokens: usage.outputTokens,
      },
      'chat answered by the model',
    );
    return message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  }

  private toGeneration(message: Message): Generation {
    // A 200 whose body is not a message (a proxy's page, a truncated body) is the API's fault.
    if (typeof message !== 'object' || message === null || !Array.isArray(message.content)) {
      throw new CodecLabError(
        'LLM_FAILED',
        `the Messages API at ${this.baseURL()} answered 200 without a message body; ` +
          'check ANTHROPIC_BASE_URL points at the Messages API',
      );
    }
    const raw = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    const model = typeof message.model === 'string' ? message.model : this.options.model;
    const usage = this.usageOf(message);
    const extracted = extractCode(raw, message.stop_reason);
    if (!extracted.ok) {
      return { ok: false, kind: extracted.kind, message: extracted.message, raw, model, usage };
    }
    return { ok: true, code: extracted.code, raw, model, usage, origin: { messageId: message.id } };
  }

  private usageOf(message: Message): Usage {
    const usage = (message as Partial<Message>).usage;
    const count = (value: unknown): number =>
      typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
    const inputTokens = count(usage?.input_tokens);
    const outputTokens = count(usage?.output_tokens);
    const cacheWriteTokens = count(usage?.cache_creation_input_tokens);
    const cacheReadTokens = count(usage?.cache_read_input_tokens);
    return {
      inputTokens,
      outputTokens,
      cacheReadTokens,
      cacheWriteTokens,
      costUsd: costUsd(this.options.pricing, {
        inputTokens,
        outputTokens,
        cacheReadTokens,
        cacheWriteTokens,
      }),
    };
  }

  private translate(error: unknown): Error {
    if (error instanceof APIConnectionTimeoutError) {
      return new CodecLabError(
        'LLM_FAILED',
        `the Messages API at ${this.baseURL()} did not answer within ${this.options.timeoutMs ?? 300_000} ms ` +
          `(after ${this.options.maxRetries ?? 2} retries): raise the timeout or check the network`,
        { cause: error },
      );
    }
    if (error instanceof APIConnectionError) {
      return new CodecLabError(
        'LLM_FAILED',
        `could not reach the Messages API at ${this.baseURL()} (after ${this.options.maxRetries ?? 2} ` +
          'retries): check the network and ANTHROPIC_BASE_URL',
        { cause: error },
      );
    }
    if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) {
      return new CodecLabError(
        'API_KEY_MISSING',
        `the Messages API refused the API key (${error.status}): set a valid ANTHROPIC_API_KEY ` +
          'or update the key in AWS Secrets Manager',
        { cause: error },
      );
    }
    if (error instanceof APIError) {
      if (error.status === 429 || error.status === 529) {
        const what = error.status === 429 ? 'rate limited' : 'overloaded';
        return new RateLimitedError(
          `the Messages API is ${what} (${error.status}) after ${this.options.maxRetries ?? 2} retries`,
          retryAfterMs(error.headers as Headers | undefined, this.now()),
          { cause: error },
        );
      }
      return new CodecLabError(
        'LLM_FAILED',
        `the Messages API failed with ${error.status ?? 'no status'}` +
          `${error.type ? ` (${error.type})` : ''}: ${error.apiMessage ?? error.message}`,
        { cause: error },
      );
    }
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new CodecLabError(
      'LLM_FAILED',
      `the Messages API at ${this.baseURL()} gave an unusable answer (${detail}); ` +
        'check ANTHROPIC_BASE_URL points at the Messages API',
      { cause: error },
    );
  }

  private baseURL(): string {
    return this.options.baseURL ?? DEFAULT_ANTHROPIC_BASE_URL;
  }
}

/** Dollars for the tokens of one response. `inputTokens` excludes the cached ones. */
export function costUsd(pricing: TokenPricing, usage: Omit<Usage, 'costUsd'>): number {
  const micro =
    usage.inputTokens * pricing.inputPerMTok +
    usage.outputTokens * pricing.outputPerMTok +
    usage.cacheWriteTokens * pricing.cacheWritePerMTok +
    usage.cacheReadTokens * pricing.cacheReadPerMTok;
  return micro / 1_000_000;
}

/** `retry-after-ms` or `retry-after` (seconds or an HTTP date), in milliseconds. */
export function retryAfterMs(headers: Headers | undefined, now: number): number | null {
  const ms = headers?.get('retry-after-ms');
  if (ms) {
    const value = Number.parseFloat(ms);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const after = headers?.get('retry-after');
  if (!after) return null;
  const seconds = Number(after.trim());
  if (after.trim() !== '' && Number.isFinite(seconds))
    return seconds >= 0 ? Math.round(seconds * 1000) : null;
  const date = Date.parse(after);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
