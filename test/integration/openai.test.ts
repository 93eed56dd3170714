/**
 * OpenAIGenerator through the real openai SDK against a local server on 127.0.0.1 that speaks
 * Chat Completions (chat-completions-api.ts). No Docker, no network beyond the loopback.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { loadContract } from '../../src/contract.js';
import { isCodecLabError } from '../../src/errors.js';
import { RateLimitedError, type GenerationContext } from '../../src/generators/generator.js';
import { MODEL_PRICES, resolvePrice } from '../../src/generators/model-prices.js';
import {
  NO_KEY_PLACEHOLDER,
  OpenAIGenerator,
  type OpenAIGeneratorOptions,
} from '../../src/generators/openai-generator.js';
import { buildPrompt } from '../../src/prompt/prompt-builder.js';
import { LocalChatCompletionsApi } from './chat-completions-api.js';

const API_KEY = 'sk-openai-test-key-do-not-log-77aa';
const MODEL = 'qwen2.5-coder:7b';
const CODE = [
  'import cv2',
  'import numpy as np',
  '',
  'def compress_video_frame(frame, config):',
  "    ok, data = cv2.imencode('.jpg', frame, [cv2.IMWRITE_JPEG_QUALITY, 50])",
  "    return {'compressed': data.tobytes(), 'metadata': {}}",
  '',
  'def decompress_video_frame(compressed, metadata, config):',
  '    return cv2.imdecode(np.frombuffer(compressed, np.uint8), cv2.IMREAD_COLOR)',
  '',
].join('\n');
const ANSWER = `Here it is.\n\n\`\`\`python\n${CODE}\`\`\`\n`;

let api: LocalChatCompletionsApi;
let keyed: LocalChatCompletionsApi;

beforeAll(async () => {
  api = new LocalChatCompletionsApi();
  keyed = new LocalChatCompletionsApi(API_KEY);
  await api.start();
  await keyed.start();
});

afterAll(async () => {
  await api.stop();
  await keyed.stop();
});

beforeEach(() => {
  for (const server of [api, keyed]) {
    server.requests.length = 0;
    server.reported.length = 0;
  }
});

function generator(overrides: Partial<OpenAIGeneratorOptions> = {}): OpenAIGenerator {
  const baseURL = overrides.baseURL ?? api.baseURL;
  return new OpenAIGenerator({
    apiKey: null,
    baseURL,
    model: MODEL,
    maxTokens: 8000,
    timeoutMs: 10_000,
    maxRetries: 1,
    price: resolvePrice(MODEL, baseURL, undefined),
    ...overrides,
  });
}

function context(): GenerationContext {
  const base = { iteration: 1, incumbent: null, parent: null, recent: [] };
  return { ...base, prompt: buildPrompt({ ...base, contract: loadContract() }) };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error: unknown = await promise.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error(`not an Error: ${String(error)}`);
  expect(error.message).not.toContain(API_KEY);
  return error;
}

describe('OpenAIGenerator against a local Chat Completions server', () => {
  it('returns the recorded code, the model asked for, and the reported tokens at 0 dollars', async () => {
    api.reply({ text: ANSWER, usage: { prompt_tokens: 1500, completion_tokens: 620 } });
    const result = await generator().generate(context());
    expect(result).toMatchObject({ ok: true, code: CODE, model: MODEL });
    // A server on 127.0.0.1 is local: its tokens are recorded, its price is 0 (not guessed).
    expect(result.usage).toEqual({
      inputTokens: 1500,
      outputTokens: 620,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0,
    });
    expect(generator().price.basis).toBe('local');
  });

  it('sends the system prompt as a system message, the user prompt as user, and max_tokens', async () => {
    api.reply(ANSWER);
    const ctx = context();
    await generator().generate(ctx);
    expect(api.requests).toHaveLength(1);
    const request = api.requests[0]!;
    expect(request.body).toMatchObject({
      model: MODEL,
      max_tokens: 8000,
      messages: [
        { role: 'system', content: ctx.prompt.system },
        { role: 'user', content: ctx.prompt.user },
      ],
    });
    expect(request.body.stream).toBeFalsy();
    // No key configured: the SDK sends the placeholder, which local servers ignore.
    expect(request.headers.authorization).toBe(`Bearer ${NO_KEY_PLACEHOLDER}`);
  });

  it('prices the reported tokens from the table, cached prompt tokens at the cached rate', async () => {
    const price = resolvePrice('gpt-4o-mini', 'https://api.openai.com/v1', undefined);
    expect(price.basis).toBe('table');
    api.reply({
      text: ANSWER,
      usage: { prompt_tokens: 10_000, completion_tokens: 3000, cached_tokens: 4000 },
    });
    const result = await generator({ price }).generate(context());
    const table = MODEL_PRICES['gpt-4o-mini']!;
    expect(result.usage).toMatchObject({
      inputTokens: 6000,
      cacheReadTokens: 4000,
      outputTokens: 3000,
    });
    const reported = api.reported[0]!;
    const expected =
      ((reported.prompt_tokens - reported.cached_tokens!) * table.inputPerMTok +
        reported.cached_tokens! * table.cachedInputPerMTok +
        reported.completion_tokens * table.outputPerMTok) /
      1e6;
    expect(result.usage.costUsd).toBeCloseTo(expected, 12);
    expect(result.usage.costUsd).toBeGreaterThan(0);
  });

  it('retries a 429 (the SDK, after its Retry-After) and then returns the code', async () => {
    api.reply(
      {
        status: 429,
        headers: { 'retry-after-ms': '20' },
        body: JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests' } }),
      },
      ANSWER,
    );
    const result = await generator({ maxRetries: 1 }).generate(context());
    expect(result).toMatchObject({ ok: true, code: CODE });
    expect(api.requests).toHaveLength(2);
  });

  it('throws RateLimitedError with the retry-after when 429s outlast the retries', async () => {
    const limited = {
      status: 429,
      headers: { 'retry-after-ms': '15', 'retry-after': '1' },
      body: JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests' } }),
    };
    api.reply(limited, limited);
    const error = await failure(generator({ maxRetries: 1 }).generate(context()));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(15);
    expect(error.message).toContain('the Chat Completions API is rate limited (429)');
    expect(api.requests).toHaveLength(2);
  });

  it('keeps a finish_reason "length" answer as truncated, with its usage', async () => {
    api.reply({ text: `\`\`\`python\n${CODE}\`\`\``, finishReason: 'length' });
    const result = await generator().generate(context());
    expect(result).toMatchObject({ ok: false, kind: 'truncated', model: MODEL });
    expect(result.usage.outputTokens).toBe(400);
  });

  it('keeps an empty or null answer as empty_response', async () => {
    api.reply('', { text: null });
    expect(await generator().generate(context())).toMatchObject({
      ok: false,
      kind: 'empty_response',
    });
    expect(await generator().generate(context())).toMatchObject({
      ok: false,
      kind: 'empty_response',
    });
  });

  it('reports a server slower than the timeout as LLM_FAILED naming the limit', async () => {
    api.reply({ delayMs: 5000, then: { text: ANSWER } });
    const error = await failure(generator({ timeoutMs: 300, maxRetries: 0 }).generate(context()));
    expect(isCodecLabError(error, 'LLM_FAILED')).toBe(true);
    expect(error.message).toContain('did not answer within 300 ms');
  });

  it('turns a malformed JSON body into LLM_FAILED naming the server', async () => {
    api.reply({ status: 200, body: '{"id": "chatcmpl-' });
    const error = await failure(generator().generate(context()));
    expect(isCodecLabError(error, 'LLM_FAILED')).toBe(true);
    expect(error.message).toContain(api.baseURL);
  });

  it('turns a 200 without choices into LLM_FAILED', async () => {
    api.reply({ status: 200, body: '{"hello": 1}' });
    const error = await failure(generator().generate(context()));
    expect(isCodecLabError(error, 'LLM_FAILED')).toBe(true);
    expect(error.message).toContain('without a choice');
  });

  it('reports other API errors as LLM_FAILED with the server message', async () => {
    api.reply({
      status: 400,
      body: JSON.stringify({
        error: { message: "model 'nope' not found", type: 'invalid_request_error' },
      }),
    });
    const error = await failure(generator().generate(context()));
    expect(isCodecLabError(error, 'LLM_FAILED')).toBe(true);
    expect(error.message).toContain("400 (invalid_request_error): model 'nope' not found");
  });

  it('sends a configured key, and reports a refused one as API_KEY_MISSING without echoing it', async () => {
    keyed.reply(ANSWER);
    const ok = await generator({ baseURL: keyed.baseURL, apiKey: API_KEY }).generate(context());
    expect(ok.ok).toBe(true);
    const wrong = 'sk-wrong-openai-key-9911';
    const error = await failure(
      generator({ baseURL: keyed.baseURL, apiKey: wrong }).generate(context()),
    );
    expect(isCodecLabError(error, 'API_KEY_MISSING')).toBe(true);
    expect(error.message).toContain('OPENAI_API_KEY');
    expect(error.message).not.toContain(wrong);
    expect(keyed.requests).toHaveLength(1); // the refused request never reached the log
  });

  it('refuses api.openai.com without a key before sending anything', () => {
    let error: unknown;
    try {
      generator({ baseURL: 'https://api.openai.com/v1', apiKey: null });
    } catch (e) {
      error = e;
    }
    expect(isCodecLabError(error, 'API_KEY_MISSING')).toBe(true);
    expect((error as Error).message).toContain('OPENAI_API_KEY');
  });

  it('reports an unreachable server as LLM_FAILED', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failure(
      generator({ baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 }).generate(context()),
    );
    expect(isCodecLabError(error, 'LLM_FAILED')).toBe(true);
    expect(error.message).toContain('could not reach the Chat Completions API');
  });

  it('answers the admin chat through complete()', async () => {
    api.reply('Mostly timeouts.');
    expect(await generator().complete('You are the admin assistant.', 'what failed?')).toBe(
      'Mostly timeouts.',
    );
    expect(api.requests[0]?.body).toMatchObject({
      messages: [
        { role: 'system', content: 'You are the admin assistant.' },
        { role: 'user', content: 'what failed?' },
      ],
      max_tokens: 2000,
    });
  });
});
