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
  type CodeGenerator,
  type Generation,
  type GenerationContext,
  type ModelClient,
  type Usage,
} from './generator.js';
import {
  costUsd,
  tokenCount,
  translateApiError,
  type ApiDescription,
  type ApiFailure,
  type TokenPricing,
} from './llm-api.js';

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
export class AnthropicGenerator implements CodeGenerator, ModelClient {
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
    const inputTokens = tokenCount(usage?.input_tokens);
    const outputTokens = tokenCount(usage?.output_tokens);
    const cacheWriteTokens = tokenCount(usage?.cache_creation_input_tokens);
    const cacheReadTokens = tokenCount(usage?.cache_read_input_tokens);
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
    return translateApiError(classify(error), error, this.api(), this.now());
  }

  private api(): ApiDescription {
    return {
      name: 'the Messages API',
      baseURL: this.baseURL(),
      timeoutMs: this.options.timeoutMs ?? 300_000,
      maxRetries: this.options.maxRetries ?? 2,
      keyFix: 'set a valid ANTHROPIC_API_KEY or update the key in AWS Secrets Manager',
      baseUrlSetting: 'ANTHROPIC_BASE_URL',
    };
  }

  private baseURL(): string {
    return this.options.baseURL ?? DEFAULT_ANTHROPIC_BASE_URL;
  }
}

/** The Anthropic SDK's error classes, as the shared translation reads them. */
function classify(error: unknown): ApiFailure {
  if (error instanceof APIConnectionTimeoutError) return { kind: 'timeout' };
  if (error instanceof APIConnectionError) return { kind: 'connection' };
  if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) {
    return { kind: 'key_refused', status: error.status };
  }
  if (error instanceof APIError) {
    return {
      kind: 'status',
      status: error.status as number | undefined,
      type: error.type ?? undefined,
      message: error.apiMessage ?? error.message,
      headers: error.headers as Headers | undefined,
    };
  }
  return { kind: 'other' };
}
