/**
 * `codec-lab run --models FILE` end to end: two local Messages-API servers (the real
 * @anthropic-ai/sdk, recorded answers) as two ensemble members with different model names, the
 * real sandbox and evaluator, SQLite on disk. The stored member and model of each attempt
 * agree with the servers' request logs, per-model cost matches the tokens the servers
 * reported, `weighted` follows its seeded split and `bandit` shifts to the member whose
 * answers improve the incumbent.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { weightedPick } from '../../src/generators/ensemble/policies.js';
import { EXAMPLE_CODEC } from '../../src/governance/recommendations.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { ModelFiguresJson } from '../../src/store/model-figures.js';
import { LocalMessagesApi, withCode } from './messages-api.js';
import { ROOT, runCli } from './support.js';

const API_KEY = 'sk-ant-ensemble-test-71c2';
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
const PRICES = {
  improver: { in: 3, out: 15 },
  weak: { in: 1, out: 5 },
};

/** The same codec, its code made distinct by a comment (the same behaviour: no new evaluation). */
const variant = (code: string, n: number): string => `# variant ${n}\n${code}`;
/** JPEG with optimised Huffman tables and progressive scans: fewer bits for the same frames. */
const OPTIMISED = EXAMPLE_CODEC.replace(
  '[cv2.IMWRITE_JPEG_QUALITY, q]',
  '[cv2.IMWRITE_JPEG_QUALITY, q, cv2.IMWRITE_JPEG_OPTIMIZE, 1, cv2.IMWRITE_JPEG_PROGRESSIVE, 1]',
);
const CRASH = EXAMPLE_CODEC.replace('    q = int(', '    scale = 1 / 0\n    q = int(');

let improver: LocalMessagesApi;
let weak: LocalMessagesApi;
const dirs: string[] = [];

beforeEach(async () => {
  improver = new LocalMessagesApi(API_KEY, 'claude-improver');
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
  const entry = (name: 'improver' | 'weak', api: LocalMessagesApi) => ({
    name,
    provider: 'anthropic',
    model: api.model,
    base_url: api.baseURL,
    weight: weights[name],
    price_in_per_mtok: PRICES[name].in,
    price_out_per_mtok: PRICES[name].out,
  });
  writeFileSync(models, JSON.stringify([entry('improver', improver), entry('weak', weak)]));
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
    { ANTHROPIC_API_KEY: API_KEY },
    { unset: ['ANTHROPIC_BASE_URL', 'CODEC_LAB_MODEL', 'CODEC_LAB_PRICING'] },
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

/** Stored members agree with the request logs; cost per model is the servers' tokens × prices. */
function checkAgainstServers(
  attempts: readonly { member: string | null; model: string }[],
  figures: Record<string, ModelFiguresJson>,
): void {
  for (const [name, api] of [
    ['improver', improver],
    ['weak', weak],
  ] as const) {
    const own = attempts.filter((a) => a.member === name);
    expect(own.length, name).toBe(api.requests.length);
    expect(new Set(own.map((a) => a.model))).toEqual(new Set(own.length > 0 ? [api.model] : []));
    expect(api.requests.every((r) => r.body.model === api.model)).toBe(true);
    if (own.length === 0) continue;
    const perRequest = (TOKENS.input * PRICES[name].in + TOKENS.output * PRICES[name].out) / 1e6;
    expect(figures[name]?.attempts).toBe(api.requests.length);
    expect(figures[name]?.output_tokens).toBe(TOKENS.output * api.requests.length);
    expect(figures[name]?.dollars).toBeCloseTo(perRequest * api.requests.length, 10);
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
    improver.reply(...[1, 2, 3, 4].map((n) => withCode(variant(EXAMPLE_CODEC, n))));
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

  it('bandit: shifts towards the member whose answers improve the incumbent', async () => {
    const { dir, models } = setup({ improver: 1, weak: 1 });
    // improver: v1, then a better codec (adopted against v1), then the same again.
    improver.reply(
      withCode(EXAMPLE_CODEC),
      withCode(OPTIMISED),
      ...[1, 2, 3, 4].map((n) => withCode(variant(OPTIMISED, n))),
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
