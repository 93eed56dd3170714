/**
 * `codec-lab run --generator openai` as a user runs it against a local model server: the real
 * CLI and openai SDK, a local server that speaks Chat Completions answering recorded codecs
 * (after one 429), the real sandbox, SQLite on disk. The loop adopts a codec written through
 * that path, and the store agrees with what the server saw and reported. Then `chat --provider
 * openai` asks the same server about the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CODEC } from '../../src/governance/recommendations.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { StoredAttempt } from '../../src/store/store.js';
import { LocalChatCompletionsApi } from './chat-completions-api.js';
import { withCode } from './messages-api.js';
import { ownLabel, runCli, sandboxContainers } from './support.js';

const MODEL = 'some-local-model';
const BROKEN = 'import numpy as np\n\ndef compress_video_frame(frame, config)\n    return frame\n';

let api: LocalChatCompletionsApi;
const dirs: string[] = [];

beforeAll(async () => {
  api = new LocalChatCompletionsApi();
  await api.start();
});

afterAll(async () => {
  await api.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  expect(await sandboxContainers(ownLabel())).toEqual([]);
});

describe('codec-lab run --generator openai against a local server', () => {
  it('adopts a codec the local model wrote, recording its model, tokens and a local price', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'codec-lab-openai-'));
    dirs.push(dataDir);
    api.reply(
      {
        status: 429,
        headers: { 'retry-after-ms': '10' },
        body: JSON.stringify({ error: { message: 'server busy', type: 'rate_limit' } }),
      },
      { text: withCode(EXAMPLE_CODEC), usage: { prompt_tokens: 2345, completion_tokens: 678 } },
      {
        text: withCode(BROKEN),
        usage: { prompt_tokens: 2500, completion_tokens: 90, cached_tokens: 2000 },
      },
    );
    const env = { CODEC_LAB_OPENAI_MODEL: 'not-this-one' };
    const run = await runCli(
      [
        'run',
        '--generator',
        'openai',
        '--base-url',
        api.baseURL,
        '--model',
        MODEL,
        '--iterations',
        '2',
        '--frames',
        '3',
        '--qualities',
        '0.3,0.6,0.9',
        '--data-dir',
        dataDir,
      ],
      env,
      { unset: ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY'] },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/2 iterations, 2 attempts stored, 1 adopted/);

    // The SDK retried the 429 itself; then one request per iteration, each naming --model.
    expect(api.requests).toHaveLength(3);
    expect(api.models()).toEqual([MODEL, MODEL, MODEL]);
    expect(api.requests[1]?.body.messages).toMatchObject([{ role: 'system' }, { role: 'user' }]);

    const store = SqliteStore.openReadOnly({ dataDir });
    let attempts: StoredAttempt[];
    try {
      attempts = [...store.attempts({ limit: 10, offset: 0, order: 'asc' }).attempts];
    } finally {
      store.close();
    }
    expect(attempts).toHaveLength(2);
    const [adopted, broken] = attempts as [StoredAttempt, StoredAttempt];
    expect(adopted).toMatchObject({ generator: 'openai', ok: true, version: 1 });
    expect(broken).toMatchObject({ generator: 'openai', ok: false, category: 'syntax_errors' });
    // The stored model and tokens are the ones the server saw and reported.
    expect(attempts.map((a) => a.model)).toEqual([api.models()[1], api.models()[2]]);
    expect(attempts.map((a) => a.usage)).toEqual([
      { inputTokens: 2345, outputTokens: 678, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
      {
        inputTokens: 500,
        outputTokens: 90,
        cacheReadTokens: 2000,
        cacheWriteTokens: 0,
        costUsd: 0,
      },
    ]);
    expect(api.reported.map((u) => u.prompt_tokens)).toEqual([2345, 2500]);
    // A local server costs 0 dollars, and the record says why.
    expect(adopted.settings?.model_prices).toEqual({
      [MODEL]: {
        provider: 'openai',
        basis: 'local',
        input_per_mtok: 0,
        output_per_mtok: 0,
        cached_input_per_mtok: 0,
      },
    });

    // The admin chat asks the same OpenAI-compatible model about the run.
    api.requests.length = 0;
    api.reply('One version adopted; one attempt had a syntax error.');
    const chat = await runCli(
      [
        'chat',
        '--json',
        '--provider',
        'openai',
        '--base-url',
        api.baseURL,
        '--model',
        MODEL,
        '--data-dir',
        dataDir,
        'what happened?',
      ],
      {},
      { unset: ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY'] },
    );
    expect(chat.code, chat.stderr).toBe(0);
    expect(JSON.parse(chat.stdout)).toMatchObject({
      answer: 'One version adopted; one attempt had a syntax error.',
      source: 'llm',
      model: MODEL,
    });
    expect(api.models()).toEqual([MODEL]);
    expect(JSON.stringify(api.requests[0]?.body.messages)).toContain('Question: what happened?');
  }, 600_000);
});
