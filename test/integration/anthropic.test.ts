/**
 * AnthropicGenerator through the real @anthropic-ai/sdk against a local server on 127.0.0.1
 * that speaks the Messages API. No Docker, no network beyond the loopback.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { loadContract } from '../../src/contract.js';
import { CodecLabError, isCodecLabError } from '../../src/errors.js';
import {
  AnthropicGenerator,
  type AnthropicGeneratorOptions,
} from '../../src/generators/anthropic-generator.js';
import { RateLimitedError, type GenerationContext } from '../../src/generators/generator.js';
import { buildPrompt } from '../../src/prompt/prompt-builder.js';

const API_KEY = 'sk-ant-test-key-do-not-log-4f2c';
const MODEL = 'claude-test-model';
const PRICING = {
  inputPerMTok: 3,
  outputPerMTok: 15,
  cacheWritePerMTok: 3.75,
  cacheReadPerMTok: 0.3,
};
const RECOMMENDATION_FIX =
  'Use cv2.dct on 8x8 blocks instead of per-pixel Python loops (marker 7d1e)';

const CODE = [
  'import cv2',
  'import numpy as np',
  '',
  'def compress_video_frame(frame, config):',
  "    q = int(5 + 90 * config['quality'])",
  "    ok, data = cv2.imencode('.jpg', frame, [cv2.IMWRITE_JPEG_QUALITY, q])",
  "    return {'compressed': data.tobytes(), 'metadata': {}}",
  '',
  'def decompress_video_frame(compressed, metadata, config):',
  '    return cv2.imdecode(np.frombuffer(compressed, np.uint8), cv2.IMREAD_COLOR)',
  '',
].join('\n');

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

let server: Server;
let baseURL: string;
let received: Received[] = [];
/** What the API answers to an authenticated POST /v1/messages. */
let answer: (request: Record<string, unknown>) => Reply;

function message(text: string, stopReason = 'end_turn', usage: Record<string, number> = {}): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'request-id': 'req_test_1' },
    body: JSON.stringify({
      id: 'msg_test_01',
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [{ type: 'text', text }],
      stop_reason: stopReason,
      stop_sequence: null,
      usage: {
        input_tokens: 120,
        output_tokens: 480,
        cache_creation_input_tokens: 2000,
        cache_read_input_tokens: 0,
        ...usage,
      },
    }),
  };
}

function apiError(
  status: number,
  type: string,
  text: string,
  headers: Record<string, string> = {},
): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ type: 'error', error: { type, message: text } }),
  };
}

/** The credential as the SDK sends it: `x-api-key`, or `Authorization: Bearer` (SDK ≥ 1.0). */
function credential(headers: IncomingHttpHeaders): string | undefined {
  const direct = headers['x-api-key'];
  if (typeof direct === 'string') return direct;
  const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '');
  return bearer?.[1];
}

function handle(request: Received): Reply {
  if (request.method !== 'POST' || request.url !== '/v1/messages') {
    return apiError(404, 'not_found_error', `no route ${request.method} ${request.url}`);
  }
  if (typeof request.headers['anthropic-version'] !== 'string') {
    return apiError(400, 'invalid_request_error', 'anthropic-version header is required');
  }
  if (credential(request.headers) !== API_KEY) {
    return apiError(401, 'authentication_error', 'invalid x-api-key');
  }
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    return apiError(400, 'invalid_request_error', 'body is not JSON');
  }
  return answer(body as Record<string, unknown>);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      const reply = handle(request);
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
});

beforeEach(() => {
  received = [];
  answer = () => message(`Here it is.\n\n\`\`\`python\n${CODE}\`\`\`\n`);
});

function generator(overrides: Partial<AnthropicGeneratorOptions> = {}): AnthropicGenerator {
  return new AnthropicGenerator({
    apiKey: API_KEY,
    baseURL,
    model: MODEL,
    maxTokens: 8000,
    timeoutMs: 10_000,
    maxRetries: 1,
    pricing: PRICING,
    ...overrides,
  });
}

function context(): GenerationContext {
  const base = { iteration: 3, incumbent: null, parent: null, recent: [] };
  const prompt = buildPrompt({
    ...base,
    contract: loadContract(),
    recommendations: [{ issue: 'timeouts', fix: RECOMMENDATION_FIX, severity: 'high', count: 4 }],
  });
  return { ...base, prompt };
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

describe('AnthropicGenerator against a local Messages API', () => {
  it('returns the code, usage and cost of a good response', async () => {
    const result = await generator().generate(context());
    expect(result).toMatchObject({ ok: true, code: CODE, model: MODEL });
    expect(result.usage).toEqual({
      inputTokens: 120,
      outputTokens: 480,
      cacheWriteTokens: 2000,
      cacheReadTokens: 0,
      // (120×3 + 480×15 + 2000×3.75) / 1e6
      costUsd: (360 + 7200 + 7500) / 1e6,
    });
    expect(result.raw).toContain('Here it is.');
  });

  it('sends the system prompt as a cached block and the improved user prompt', async () => {
    const ctx = context();
    await generator().generate(ctx);
    expect(received).toHaveLength(1);
    const request = received[0]!;
    expect(credential(request.headers)).toBe(API_KEY);
    expect(request.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const body = JSON.parse(request.body) as {
      model: string;
      max_tokens: number;
      system: { type: string; text: string; cache_control?: { type: string } }[];
      messages: { role: string; content: string }[];
    };
    expect(body.model).toBe(MODEL);
    expect(body.max_tokens).toBe(8000);
    expect(body.system).toEqual([
      { type: 'text', text: ctx.prompt.system, cache_control: { type: 'ephemeral' } },
    ]);
    expect(body.system[0]?.text).toContain('numpy, cv2, torch, math, json, struct, base64, io');
    expect(body.messages).toEqual([{ role: 'user', content: ctx.prompt.user }]);
    // The self-debugger's recommendation reached the API.
    expect(body.messages[0]?.content).toContain(`Fix: ${RECOMMENDATION_FIX}`);
  });

  it('prices cache reads', async () => {
    answer = () =>
      message(`\`\`\`python\n${CODE}\`\`\``, 'end_turn', {
        input_tokens: 10,
        output_tokens: 100,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 2000,
      });
    const result = await generator().generate(context());
    expect(result.usage).toMatchObject({ cacheReadTokens: 2000, cacheWriteTokens: 0 });
    expect(result.usage.costUsd).toBeCloseTo((30 + 1500 + 600) / 1e6, 12);
  });

  it('throws RateLimitedError with the retry-after after the SDK retried a 429', async () => {
    answer = () =>
      apiError(429, 'rate_limit_error', 'Number of request tokens has exceeded your rate limit', {
        'retry-after-ms': '20',
        'retry-after': '1',
      });
    const error = await failure(generator({ maxRetries: 1 }).generate(context()));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(20);
    expect(error.message).toContain('429');
    expect(received).toHaveLength(2); // the first attempt and the SDK's one retry
  });

  it('throws RateLimitedError for 529 overloaded', async () => {
    answer = () => apiError(529, 'overloaded_error', 'Overloaded', { 'retry-after-ms': '10' });
    const error = await failure(generator({ maxRetries: 1 }).generate(context()));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.message).toContain('overloaded');
    expect(received).toHaveLength(2);
  });

  it('reports a refused key as API_KEY_MISSING without retrying or echoing it', async () => {
    const error = await failure(generator({ apiKey: 'sk-ant-wrong-key-1234' }).generate(context()));
    expect(isCodecLabError(error, 'API_KEY_MISSING')).toBe(true);
    expect(error.message).toContain('ANTHROPIC_API_KEY');
    expect(error.message).not.toContain('sk-ant-wrong-key-1234');
    expect(received).toHaveLength(1);
  });

  it('reports other API errors as LLM_FAILED with the API message', async () => {
    answer = () => apiError(400, 'invalid_request_error', 'max_tokens: 8000 > 4096, the maximum');
    const error = await failure(generator().generate(context()));
    expect(isCodecLabError(error, 'LLM_FAILED')).toBe(true);
    expect(error.message).toContain('400 (invalid_request_error): max_tokens: 8000 > 4096');
  });

  it('reports a 500 that outlasts the retries as LLM_FAILED', async () => {
    answer = () => apiError(500, 'api_error', 'Internal server error', { 'retry-after-ms': '10' });
    const error = await failure(generator({ maxRetries: 1 }).generate(context()));
    expect(isCodecLabError(error, 'LLM_FAILED')).toBe(true);
    expect(received).toHaveLength(2);
  });

  it('turns a malformed JSON body into a clean LLM_FAILED', async () => {
    answer = () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"id": "msg_',
    });
    const error = await failure(generator().generate(context()));
    expect(error).toBeInstanceOf(CodecLabError);
    expect(isCodecLabError(error, 'LLM_FAILED')).toBe(true);
    expect(error.message).toContain(baseURL);
  });

  it('turns a 200 that is not a message into LLM_FAILED', async () => {
    answer = () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"hello": 1}',
    });
    const error = await failure(generator().generate(context()));
    expect(isCodecLabError(error, 'LLM_FAILED')).toBe(true);
  });

  it('reports an unreachable API as LLM_FAILED', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failure(
      generator({ baseURL: `http://127.0.0.1:${port}`, maxRetries: 0 }).generate(context()),
    );
    expect(isCodecLabError(error, 'LLM_FAILED')).toBe(true);
    expect(error.message).toContain('could not reach');
  });

  it('keeps a response with two code blocks as several_code_blocks, with the raw text', async () => {
    const text = `Option A:\n\`\`\`python\n${CODE}\`\`\`\nOption B:\n\`\`\`python\n${CODE}\`\`\`\n`;
    answer = () => message(text);
    const result = await generator().generate(context());
    expect(result).toMatchObject({
      ok: false,
      kind: 'several_code_blocks',
      raw: text,
      model: MODEL,
    });
    expect(result.usage.outputTokens).toBe(480);
  });

  it('keeps a max_tokens stop as truncated', async () => {
    answer = () => message(`\`\`\`python\n${CODE.slice(0, 80)}`, 'max_tokens');
    const result = await generator().generate(context());
    expect(result).toMatchObject({ ok: false, kind: 'truncated' });
  });

  it('keeps an empty answer as empty_response', async () => {
    answer = () => message('');
    expect(await generator().generate(context())).toMatchObject({
      ok: false,
      kind: 'empty_response',
    });
  });
});
