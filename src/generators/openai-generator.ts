import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  PermissionDeniedError,
  type ClientOptions,
} from 'openai';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
} from 'openai/resources/chat/completions.js';
import { DEFAULT_OPENAI_BASE_URL } from '../config.js';
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
} from './llm-api.js';
import { isOpenAiHost, type ResolvedPrice } from './model-prices.js';

/**
 * What the SDK sends as the key when none is configured: local servers (Ollama, vLLM,
 * llama.cpp) ignore it, and the SDK refuses to start without one.
 */
export const NO_KEY_PLACEHOLDER = 'codec-lab-no-key';

export interface OpenAIGeneratorOptions {
  /** Fetched once by the caller; null when none is configured (a local server needs none). */
  readonly apiKey: string | null;
  /** OPENAI_BASE_URL or --base-url, ending in /v1; default https://api.openai.com/v1. */
  readonly baseURL?: string;
  /** The model named in every request, and recorded as the attempt's model. */
  readonly model: string;
  readonly maxTokens: number;
  /** One HTTP attempt's limit. Default 5 minutes. */
  readonly timeoutMs?: number;
  /** The SDK's own retries of transient failures (429, 5xx, connection). Default 2. */
  readonly maxRetries?: number;
  /** model-prices.ts `resolvePrice` for this model and base URL. */
  readonly price: ResolvedPrice;
  readonly logger?: Logger;
  /** For tests: the SDK's fetch. */
  readonly fetch?: ClientOptions['fetch'];
  /** For Retry-After dates. */
  readonly now?: () => number;
}

/**
 * Any server that speaks OpenAI's Chat Completions protocol (OpenAI, OpenRouter, Ollama, vLLM,
 * llama.cpp's server, LM Studio) through the official openai SDK. The system prompt is a
 * `system` message and the per-iteration prompt a `user` message. Retries are the SDK's; what
 * is left after them is thrown as RateLimitedError (429) for the loop's backoff, or
 * CodecLabError. The attempt records the model it asked for: compatible servers differ in what
 * they echo back (llama.cpp names whatever file it loaded), and the price is keyed by it.
 */
export class OpenAIGenerator implements CodeGenerator, ModelClient {
  readonly name = 'openai';
  readonly capabilities = PROMPTED_CAPABILITIES;
  private readonly client: OpenAI;
  private readonly now: () => number;
  private readonly baseURL: string;

  constructor(private readonly options: OpenAIGeneratorOptions) {
    this.baseURL = options.baseURL ?? DEFAULT_OPENAI_BASE_URL;
    const key = options.apiKey?.trim() ?? '';
    if (key === '' && isOpenAiHost(this.baseURL)) {
      throw new CodecLabError(
        'API_KEY_MISSING',
        `no OpenAI API key for ${this.baseURL}: set OPENAI_API_KEY, or name a Secrets Manager ` +
          'secret in CODEC_LAB_OPENAI_SECRET_ID, or point --base-url / OPENAI_BASE_URL at a ' +
          'local server (which needs no key)',
      );
    }
    this.now = options.now ?? Date.now;
    const log = options.logger;
    this.client = new OpenAI({
      apiKey: key === '' ? NO_KEY_PLACEHOLDER : key,
      // Explicit, so the SDK reads none of OPENAI_ORG_ID / OPENAI_PROJECT_ID itself.
      organization: null,
      project: null,
      baseURL: this.baseURL,
      timeout: options.timeoutMs ?? 300_000,
      maxRetries: options.maxRetries ?? 2,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      logLevel: log ? 'warn' : 'off',
      ...(log
        ? {
            logger: {
              error: (message: string): void => log.error({ component: 'openai-sdk' }, message),
              warn: (message: string): void => log.warn({ component: 'openai-sdk' }, message),
              info: (message: string): void => log.info({ component: 'openai-sdk' }, message),
              debug: (message: string): void => log.debug({ component: 'openai-sdk' }, message),
            },
          }
        : {}),
    });
  }

  get model(): string {
    return this.options.model;
  }

  get price(): ResolvedPrice {
    return this.options.price;
  }

  async generate(context: GenerationContext): Promise<Generation> {
    const completion = await this.create(
      context.prompt.system,
      context.prompt.user,
      this.options.maxTokens,
    );
    const raw = completion.text;
    const usage = completion.usage;
    const model = this.options.model;
    // A `length` finish is Chat Completions' max_tokens stop: the code is cut off.
    const stop = completion.finishReason === 'length' ? 'max_tokens' : completion.finishReason;
    const extracted = extractCode(raw, stop);
    if (!extracted.ok) {
      return { ok: false, kind: extracted.kind, message: extracted.message, raw, model, usage };
    }
    return {
      ok: true,
      code: extracted.code,
      raw,
      model,
      usage,
      origin: { completionId: completion.id, servedBy: completion.servedBy },
    };
  }

  /** One plain question (the admin chat): a short answer, errors translated like generate()'s. */
  async complete(system: string, user: string, signal?: AbortSignal): Promise<string> {
    const answer = await this.create(system, user, Math.min(this.options.maxTokens, 2000), signal);
    this.options.logger?.info(
      {
        component: 'chat',
        model: this.options.model,
        costUsd: answer.usage.costUsd,
        outputTokens: answer.usage.outputTokens,
      },
      'chat answered by the model',
    );
    return answer.text;
  }

  private async create(
    system: string,
    user: string,
    maxTokens: number,
    signal?: AbortSignal,
  ): Promise<{
    id: string | null;
    servedBy: string | null;
    text: string;
    finishReason: string | null;
    usage: Usage;
  }> {
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: this.options.model,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: user },
      ],
      // OpenAI's newer models refuse max_tokens; the compatible servers all read it.
      ...(isOpenAiHost(this.baseURL)
        ? { max_completion_tokens: maxTokens }
        : { max_tokens: maxTokens }),
    };
    let completion: ChatCompletion;
    try {
      completion = await this.client.chat.completions.create(body, signal ? { signal } : {});
    } catch (error) {
      throw translateApiError(classify(error), error, this.api(), this.now());
    }
    // A 200 whose body is not a completion (a proxy's page, another API) is the server's fault.
    const choice = Array.isArray(completion?.choices) ? completion.choices[0] : undefined;
    if (typeof choice !== 'object' || choice === null || typeof choice.message !== 'object') {
      throw new CodecLabError(
        'LLM_FAILED',
        `the Chat Completions API at ${this.baseURL} answered 200 without a choice; ` +
          'check --base-url / OPENAI_BASE_URL points at an OpenAI-compatible /v1 endpoint',
      );
    }
    const content: unknown = choice.message?.content;
    const servedBy = typeof completion.model === 'string' ? completion.model : null;
    if (servedBy !== null && servedBy !== this.options.model) {
      this.options.logger?.debug(
        { requested: this.options.model, servedBy },
        'the server named another model than the one asked for',
      );
    }
    return {
      id: typeof completion.id === 'string' ? completion.id : null,
      servedBy,
      text: typeof content === 'string' ? content : '',
      finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
      usage: this.usageOf(completion),
    };
  }

  /** prompt_tokens counts the cached ones too: they are priced apart, at the cached rate. */
  private usageOf(completion: ChatCompletion): Usage {
    const usage = (completion as Partial<ChatCompletion>).usage;
    const prompt = tokenCount(usage?.prompt_tokens);
    const cacheReadTokens = Math.min(
      prompt,
      tokenCount(usage?.prompt_tokens_details?.cached_tokens),
    );
    const tokens = {
      inputTokens: prompt - cacheReadTokens,
      outputTokens: tokenCount(usage?.completion_tokens),
      cacheReadTokens,
      cacheWriteTokens: 0,
    };
    return { ...tokens, costUsd: costUsd(this.options.price.pricing, tokens) };
  }

  private api(): ApiDescription {
    return {
      name: 'the Chat Completions API',
      baseURL: this.baseURL,
      timeoutMs: this.options.timeoutMs ?? 300_000,
      maxRetries: this.options.maxRetries ?? 2,
      keyFix: 'set a valid OPENAI_API_KEY or update the secret named by CODEC_LAB_OPENAI_SECRET_ID',
      baseUrlSetting: '--base-url / OPENAI_BASE_URL',
    };
  }
}

/** The openai SDK's error classes, as the shared translation reads them. */
function classify(error: unknown): ApiFailure {
  if (error instanceof APIConnectionTimeoutError) return { kind: 'timeout' };
  if (error instanceof APIConnectionError) return { kind: 'connection' };
  if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) {
    return { kind: 'key_refused', status: error.status };
  }
  if (error instanceof APIError) {
    const body = error.error as { message?: unknown } | undefined;
    return {
      kind: 'status',
      status: error.status as number | undefined,
      type: error.type ?? error.code ?? undefined,
      message: typeof body?.message === 'string' ? body.message : error.message,
      headers: error.headers as Headers | undefined,
    };
  }
  return { kind: 'other' };
}
