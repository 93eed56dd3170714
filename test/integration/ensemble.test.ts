/**
 * `codec-lab run --models FILE` end to end with one member of each protocol: a local Chat
 * Completions server (the real openai SDK, provider "openai") and a local Messages-API server
 * (the real @anthropic-ai/sdk, provider "anthropic"), recorded answers, the real sandbox and
 * evaluator, SQLite on disk. The stored member and model of each attempt agree with the
 * servers' request logs, per-model cost matches the tokens the servers reported times the
 * entries' prices, `weighted` follows its seeded split and `bandit` shifts to the
 * OpenAI-compatible member, whose answers improve the incumbent.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { weightedPick } from '../../src/generators/ensemble/policies.js';
import { EXAMPLE_CODEC } from '../../src/governance/recommendations.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { ModelFiguresJson } from '../../src/store/model-figures.js';
import { LocalChatCompletionsApi } from './chat-completions-api.js';
import { LocalMessagesApi, withCode } from './messages-api.js';
import { ROOT, runCli } from './support.js';

const API_KEY = 'sk-ant-ensemble-test-71c2';
const OPENAI_KEY = 'sk-openai-ensemble-test-5e0d';
const OPENAI_MODEL = 'qwen-improver';
const BUILTIN = join(ROOT, 'assets/builtin-vtest-128x96.mkv');
/** The built-in clip has no holdout: the test's holdout is a copy of it (adoption after v1 needs one). */
const FAST = [
  '--clips',
  BUILTIN,
  '--frames',
  '4',
  '--qualities',
  '0.1,0.4,0.7,0.9',
  '--no-screening',
];
/** What every LocalMessagesApi answer reports. */
const TOKENS = { input: 1000, output: 500 };
/** What every LocalChatCompletionsApi answer reports (no cached prompt tokens). */
const CHAT_USAGE = { prompt_tokens: 2100, completion_tokens: 350 };
const PRICES = {
  improver: { in: 3, out: 15 },
  weak: { in: 1, out: 5 },
};

/** A Chat Completions answer with the codec, reporting CHAT_USAGE. */
const chat = (code: string) => ({ text: withCode(code), usage: CHAT_USAGE });
/** The same codec, its code made distinct by a comment (the same behaviour: no new evaluation). */
const variant = (code: string, n: number): string => `# variant ${n}\n${code}`;
/** JPEG with optimised Huffman tables and progressive scans: fewer bits for the same frames. */
const OPTIMISED = EXAMPLE_CODEC.replace(
  '[cv2.IMWRITE_JPEG_QUALITY, q]',
  '[cv2.IMWRITE_JPEG_QUALITY, q, cv2.IMWRITE_JPEG_OPTIMIZE, 1, cv2.IMWRITE_JPEG_PROGRESSIVE, 1]',
);
const CRASH = EXAMPLE_CODEC.replace('    q = int(', '    scale = 1 / 0\n    q = int(');

/** The OpenAI-compatible member; it demands OPENAI_API_KEY, so the key is shown to reach it. */
let improver: LocalChatCompletionsApi;
let weak: LocalMessagesApi;
const dirs: string[] = [];

beforeEach(async () => {
  improver = new LocalChatCompletionsApi(OPENAI_KEY);
  weak = new LocalMessagesApi(API_KEY, 'claude-weak');
  await improver.start();
  await weak.start();
});

afterEach(async () => {
  await improver.stop();
  await weak.stop();
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function setup(weights: { improver: number; weak: number }): { dir: string; models: string } {
  const dir = mkdtempSync(join(tmpdir(), 'codec-lab-ensemble-'));
  dirs.push(dir);
  const models = join(dir, 'models.json');
  const entry = (name: 'improver' | 'weak', provider: string, model: string, baseUrl: string) => ({
    name,
    provider,
    model,
    base_url: baseUrl,
    weight: weights[name],
    price_in_per_mtok: PRICES[name].in,
    price_out_per_mtok: PRICES[name].out,
  });
  writeFileSync(
    models,
    JSON.stringify([
      entry('improver', 'openai', OPENAI_MODEL, improver.baseURL),
      entry('weak', 'anthropic', weak.model, weak.baseURL),
    ]),
  );
  copyFileSync(BUILTIN, join(dir, 'holdout.mkv'));
  return { dir, models };
}

async function run(dir: string, models: string, extra: readonly string[]) {
  const result = await runCli(
    [
      'run',
      '--models',
      models,
      ...FAST,
      '--holdout',
      join(dir, 'holdout.mkv'),
      '--data-dir',
      dir,
      ...extra,
    ],
    { ANTHROPIC_API_KEY: API_KEY, OPENAI_API_KEY: OPENAI_KEY },
    {
      unset: [
        'ANTHROPIC_BASE_URL',
        'CODEC_LAB_MODEL',
        'CODEC_LAB_PRICING',
        'OPENAI_BASE_URL',
        'CODEC_LAB_OPENAI_MODEL',
        'CODEC_LAB_OPENAI_PRICING',
        'CODEC_LAB_OPENAI_SECRET_ID',
      ],
    },
  );
  expect(result.code, result.stderr).toBe(0);
  const status = await runCli(['status', '--json', '--data-dir', dir]);
  expect(status.code, status.stderr).toBe(0);
  const figures = (JSON.parse(status.stdout) as { models: ModelFiguresJson[] }).models;
  const store = SqliteStore.openReadOnly({ dataDir: dir });
  try {
    const attempts = store.attempts({ limit: 100, offset: 0, order: 'asc' }).attempts;
    return { attempts, figures: Object.fromEntries(figures.map((f) => [f.name, f])) };
  } finally {
    store.close();
  }
}

/**
 * Stored members agree with the request logs; cost per model is the servers' tokens × prices;
 * the OpenAI-compatible member's price is recorded with basis `override` (the entry's prices).
 */
function checkAgainstServers(
  attempts: readonly {
    member: string | null;
    model: string;
    settings?: Record<string, unknown> | null;
  }[],
  figures: Record<string, ModelFiguresJson>,
): void {
  const logs = {
    improver: {
      model: OPENAI_MODEL,
      asked: improver.models(),
      dollars: improver.reported.map(
        (u) =>
          (u.prompt_tokens * PRICES.improver.in + u.completion_tokens * PRICES.improver.out) / 1e6,
      ),
      output: improver.reported.map((u) => u.completion_tokens),
    },
    weak: {
      model: weak.model,
      asked: weak.requests.map((r) => r.body.model),
      dollars: weak.requests.map(
        () => (TOKENS.input * PRICES.weak.in + TOKENS.output * PRICES.weak.out) / 1e6,
      ),
      output: weak.requests.map(() => TOKENS.output),
    },
  };
  // Every request the OpenAI-compatible server answered carried OPENAI_API_KEY (it refuses others).
  expect(improver.requests.every((r) => r.headers.authorization === `Bearer ${OPENAI_KEY}`)).toBe(
    true,
  );
  for (const name of ['improver', 'weak'] as const) {
    const log = logs[name];
    const own = attempts.filter((a) => a.member === name);
    expect(own.length, name).toBe(log.asked.length);
    expect(new Set(own.map((a) => a.model))).toEqual(new Set(own.length > 0 ? [log.model] : []));
    expect(log.asked.every((model) => model === log.model)).toBe(true);
    if (own.length === 0) continue;
    expect(log.dollars.every((d) => d > 0)).toBe(true);
    expect(figures[name]?.attempts).toBe(log.asked.length);
    expect(figures[name]?.output_tokens).toBe(log.output.reduce((a, b) => a + b, 0));
    expect(figures[name]?.dollars).toBeCloseTo(
      log.dollars.reduce((a, b) => a + b, 0),
      10,
    );
  }
  expect(improver.reported.length).toBe(improver.requests.length);
  for (const attempt of attempts) {
    expect(attempt.settings?.model_prices).toEqual({
      [OPENAI_MODEL]: {
        provider: 'openai',
        basis: 'override',
        input_per_mtok: PRICES.improver.in,
        output_per_mtok: PRICES.improver.out,
        cached_input_per_mtok: PRICES.improver.in,
      },
    });
  }
}

describe('codec-lab run --models', () => {
  it('weighted: each iteration goes to the seeded weighted pick, stored as the server saw it', async () => {
    const { dir, models } = setup({ improver: 1, weak: 1 });
    const seed = 3;
    const iterations = 4;
    const expected = Array.from({ length: iterations }, (_, i) =>
      weightedPick(
        [
          { name: 'improver', weight: 1, pricePerMTok: 18 },
          { name: 'weak', weight: 1, pricePerMTok: 6 },
        ],
        seed,
        i + 1,
      ),
    );
    // The seed was chosen so that both members take part.
    expect(new Set(expected)).toEqual(new Set(['improver', 'weak']));
    improver.reply(...[1, 2, 3, 4].map((n) => chat(variant(EXAMPLE_CODEC, n))));
    weak.reply(...[5, 6, 7, 8].map((n) => withCode(variant(EXAMPLE_CODEC, n))));
    const { attempts, figures } = await run(dir, models, [
      '--model-policy',
      'weighted',
      '--seed',
      String(seed),
      '--iterations',
      String(iterations),
    ]);
    expect(attempts.map((a) => a.member)).toEqual(expected);
    expect(attempts.map((a) => a.generator)).toEqual(expected.map(() => 'ensemble'));
    checkAgainstServers(attempts, figures);
  }, 600_000);

  it('bandit: shifts towards the OpenAI-compatible member, whose answers improve the incumbent', async () => {
    const { dir, models } = setup({ improver: 1, weak: 1 });
    // improver: v1, then a better codec (adopted against v1), then the same again.
    improver.reply(
      chat(EXAMPLE_CODEC),
      chat(OPTIMISED),
      ...[1, 2, 3, 4].map((n) => chat(variant(OPTIMISED, n))),
    );
    weak.reply(...[1, 2, 3, 4].map((n) => withCode(variant(CRASH, n))));
    const { attempts, figures } = await run(dir, models, ['--iterations', '6']);
    checkAgainstServers(attempts, figures);
    const who = attempts.filter((a) => a.generator === 'ensemble').map((a) => a.member);
    // Tried once each (file order), then the improver's adoption shifts the picks to it.
    expect(who.slice(0, 2)).toEqual(['improver', 'weak']);
    const story = attempts
      .map(
        (a) =>
          `${a.member ?? a.generator} ${a.stage} ${a.category ?? ''} ${a.decision?.summary ?? ''}`,
      )
      .join('\n');
    expect(figures.improver?.bd_rate_points_gained, story).toBeGreaterThan(1);
    expect(figures.improver?.adoptions).toBe(2);
    expect(figures.weak?.adoptions).toBe(0);
    expect(figures.weak?.success_rate).toBe(0);
    expect(who.filter((m) => m === 'improver').length).toBeGreaterThanOrEqual(4);
    expect(who.filter((m) => m === 'weak').length).toBeLessThanOrEqual(2);
    expect(figures.improver?.dollars_per_bd_rate_point).toBeCloseTo(
      (figures.improver?.dollars ?? 0) / (figures.improver?.bd_rate_points_gained ?? 1),
      12,
    );
  }, 600_000);
});
