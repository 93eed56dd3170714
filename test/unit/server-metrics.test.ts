import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';
import { ADOPT, T0, failed, generationFailure, record } from './store-contract.js';
import { testServer } from './server-fakes.js';

function store(): MemoryStore {
  let now = T0;
  const s = new MemoryStore(() => (now += 1000));
  const good = s.recordAttempt(record('good = 1'));
  s.adopt(good.id, ADOPT);
  s.recordAttempt(failed('slow = 1', 'sweep', 'timeouts'));
  s.recordAttempt(failed('slow = 2', 'sweep', 'timeouts'));
  s.recordAttempt(generationFailure('no code'));
  return s;
}

/** The samples of a Prometheus text body: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

describe('GET /metrics', () => {
  it('exposes attempts by outcome and category, success rate, tokens, dollars and best BD-rate', async () => {
    const { app } = testServer({ store: store() });
    const response = await app.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    const text = await response.text();
    expect(text).toMatch(/# TYPE codec_lab_attempts_total counter/);
    const m = samples(text);
    expect(m.get('codec_lab_attempts_total{outcome="success",category="none"}')).toBe(1);
    expect(m.get('codec_lab_attempts_total{outcome="failure",category="timeouts"}')).toBe(2);
    expect(m.get('codec_lab_attempts_total{outcome="failure",category="other"}')).toBe(1);
    expect(m.get('codec_lab_success_rate')).toBe(0.25);
    expect(m.get('codec_lab_llm_tokens_total{kind="input"}')).toBe(4000);
    expect(m.get('codec_lab_llm_cost_dollars_total')).toBeCloseTo(0.05);
    expect(m.get('codec_lab_best_bd_rate_percent{anchor="jpeg",version="1"}')).toBe(-41.5);
    expect(m.get('codec_lab_versions')).toBe(1);
    // A standalone server knows nothing of a loop.
    expect(text).not.toMatch(/codec_lab_evaluations_in_flight/);
  });

  it('is valid on an empty store', async () => {
    const text = await (await testServer().app.request('/metrics')).text();
    const m = samples(text);
    expect(m.get('codec_lab_attempts_total{outcome="success",category="none"}')).toBe(0);
    expect(Number.isNaN(m.get('codec_lab_success_rate'))).toBe(true);
    expect(text).not.toMatch(/best_bd_rate/);
  });

  it('under run --serve, adds evaluations in flight and the duration histograms', async () => {
    const { app, services, control } = testServer({ withLoop: true });
    const finish = control.begin();
    services.loop!.live.observe({
      iteration: 1,
      attemptId: '1',
      generator: 'anthropic',
      outcome: 'failed',
      stage: 'sweep',
      category: 'timeouts',
      version: null,
      bdRateVsIncumbentPct: null,
      bdRateVsJpegPct: null,
      summary: '',
      generationMs: 800,
      evaluationMs: 7_000,
      loopOverheadMs: 3,
    });
    const m = samples(await (await app.request('/metrics')).text());
    expect(m.get('codec_lab_evaluations_in_flight')).toBe(1);
    expect(m.get('codec_lab_iterations_total{outcome="failed"}')).toBe(1);
    expect(m.get('codec_lab_sandbox_duration_seconds_bucket{le="5"}')).toBe(0);
    expect(m.get('codec_lab_sandbox_duration_seconds_bucket{le="10"}')).toBe(1);
    expect(m.get('codec_lab_sandbox_duration_seconds_bucket{le="+Inf"}')).toBe(1);
    expect(m.get('codec_lab_sandbox_duration_seconds_sum')).toBe(7);
    expect(m.get('codec_lab_generation_duration_seconds_count')).toBe(1);
    // A mechanical fix is evaluated but generates nothing: no generation sample.
    services.loop!.live.observe({
      iteration: 2,
      attemptId: '2',
      generator: 'autofix',
      outcome: 'failed',
      stage: 'smoke',
      category: 'return_format_error',
      version: null,
      bdRateVsIncumbentPct: null,
      bdRateVsJpegPct: null,
      summary: '',
      generationMs: 0,
      evaluationMs: 1_000,
      loopOverheadMs: 1,
    });
    const fixed = samples(await (await app.request('/metrics')).text());
    expect(fixed.get('codec_lab_generation_duration_seconds_count')).toBe(1);
    expect(fixed.get('codec_lab_sandbox_duration_seconds_count')).toBe(2);
    finish();
    const after = samples(await (await app.request('/metrics')).text());
    expect(after.get('codec_lab_evaluations_in_flight')).toBe(0);
  });
});
