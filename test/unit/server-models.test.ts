/** Per-model figures: the store query's aggregation, /api/status, /metrics and `status` text. */
import { describe, expect, it } from 'vitest';

import { renderModels } from '../../src/cli/status-command.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { modelFigures } from '../../src/store/model-figures.js';
import { statusJson } from '../../src/store/summaries.js';
import { ADOPT, T0, failed, record } from './store-contract.js';
import { testServer } from './server-fakes.js';

const usage = (costUsd: number, outputTokens: number) => ({
  inputTokens: 1000,
  outputTokens,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd,
});

/** `sonnet`: v1 then a failure; `local`: v2 (−4 points), a failure repaired into v3 (−2). */
function ensembleStore(): MemoryStore {
  let now = T0;
  const store = new MemoryStore(() => (now += 1000));
  const sonnet = { member: 'sonnet', model: 'claude-sonnet-4-5', generator: 'ensemble' };
  const local = { member: 'local', model: 'qwen2.5-coder', generator: 'ensemble' };
  const v1 = store.recordAttempt(record('v1', { ...sonnet, usage: usage(0.03, 900) }));
  store.adopt(v1.id, { ...ADOPT, meanDevBdRatePct: null });
  store.recordAttempt(failed('s2', 'sweep', 'timeouts', { ...sonnet, usage: usage(0.05, 1100) }));
  const v2 = store.recordAttempt(record('v2', { ...local, usage: usage(0, 700) }));
  store.adopt(v2.id, { ...ADOPT, meanDevBdRatePct: -4 });
  const broken = store.recordAttempt(
    failed('l2', 'smoke', 'runtime_errors', { ...local, usage: usage(0, 300) }),
  );
  const v3 = store.recordAttempt(
    record('v3', { ...local, parentId: broken.id, usage: usage(0.02, 500) }),
  );
  store.adopt(v3.id, { ...ADOPT, meanDevBdRatePct: -2 });
  // Not the loop's: `evaluate` attempts are no model's.
  store.recordAttempt(record('e1', { origin: 'evaluate', usage: usage(9, 9) }));
  return store;
}

const SONNET = {
  name: 'sonnet',
  model_ids: ['claude-sonnet-4-5'],
  attempts: 2,
  successes: 1,
  success_rate: 0.5,
  adoptions: 1,
  bd_rate_points_gained: 0,
  input_tokens: 2000,
  output_tokens: 2000,
  dollars_per_bd_rate_point: null,
};

describe('per-model figures', () => {
  it('counts attempts, successes, adoptions, dollars, tokens and dollars per point', () => {
    const figures = modelFigures(ensembleStore().modelOutcomes());
    expect(figures.map((f) => f.name)).toEqual(['sonnet', 'local']);
    expect(figures[0]).toMatchObject(SONNET);
    expect(figures[0]?.dollars).toBeCloseTo(0.08, 12);
    expect(figures[1]).toMatchObject({
      name: 'local',
      attempts: 3,
      successes: 2,
      adoptions: 2,
      bd_rate_points_gained: 6,
      output_tokens: 1500,
    });
    expect(figures[1]?.dollars_per_bd_rate_point).toBeCloseTo(0.02 / 6, 12);
  });

  it('counts a run without an ensemble under its model id', () => {
    const store = new MemoryStore(() => T0);
    store.recordAttempt(record('x'));
    expect(statusJson(store).models).toMatchObject([{ name: 'offline-search', attempts: 1 }]);
  });

  it('are in /api/status as `models`', async () => {
    const { app } = testServer({ store: ensembleStore() });
    const body = (await (await app.request('/api/status')).json()) as {
      models: { name: string }[];
    };
    expect(body.models.map((m) => m.name)).toEqual(['sonnet', 'local']);
    expect(body.models[0]).toMatchObject(SONNET);
  });

  it('are in /metrics, labelled by model', async () => {
    const text = await (
      await testServer({ store: ensembleStore() }).app.request('/metrics')
    ).text();
    expect(text).toContain('# TYPE codec_lab_model_attempts_total counter');
    expect(text).toMatch(/^codec_lab_model_attempts_total\{model="sonnet"\} 2$/m);
    expect(text).toMatch(/^codec_lab_model_attempts_total\{model="local"\} 3$/m);
    expect(text).toMatch(/^codec_lab_model_adoptions_total\{model="local"\} 2$/m);
    expect(text).toMatch(/^codec_lab_model_output_tokens_total\{model="sonnet"\} 2000$/m);
    expect(text).toMatch(/^codec_lab_model_bd_rate_points_gained\{model="local"\} 6$/m);
    expect(text).toMatch(/^codec_lab_model_cost_dollars_total\{model="sonnet"\} 0\.08/m);
    // No point gained: no dollars-per-point sample rather than an infinite one.
    expect(text).not.toMatch(/dollars_per_bd_rate_point\{model="sonnet"\}/);
    expect(text).toMatch(/^codec_lab_model_dollars_per_bd_rate_point\{model="local"\} 0\.0033/m);
  });

  it('are a table in `status` text', () => {
    const lines = renderModels(statusJson(ensembleStore()).models);
    expect(lines[1]).toMatch(/^model\s+attempts\s+success\s+adopted/);
    expect(lines[2]).toMatch(/^sonnet\s+2\s+50 %\s+1\s+0\.00\s+\$0\.0800\s+2000\s+n\/a$/);
    expect(lines[3]).toMatch(/^local\s+3\s+67 %\s+2\s+6\.00\s+\$0\.0200\s+1500\s+\$0\.0033$/);
    expect(renderModels([])).toEqual([]);
  });
});
