import { describe, expect, it } from 'vitest';
import { CodecLabError } from '../../src/errors.js';
import { createApp } from '../../src/server/app.js';
import { timeline } from '../../src/server/attempt-json.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/store.js';
import { ADOPT, REJECT, T0, failed, generationFailure, record } from './store-contract.js';
import { report, testServer } from './server-fakes.js';

interface ErrorJson {
  error: { code: string; message: string };
}

/** Three attempts: v1 adopted, a sweep timeout, a generation failure. */
function filledStore(): MemoryStore {
  let now = T0;
  const store = new MemoryStore(() => (now += 1000));
  const good = store.recordAttempt(record('good = 1', { decision: ADOPT, createdAtMs: T0 }));
  store.adopt(good.id, ADOPT);
  store.recordAttempt(
    failed('slow = 1', 'sweep', 'timeouts', {
      createdAtMs: T0 + 60_000,
      failureMessage: '<script>window.__pwned=1</script> took too long',
    }),
  );
  store.recordAttempt(generationFailure('no code here', { createdAtMs: T0 + 120_000 }));
  store.recordAttempt(record('kept = 1', { decision: REJECT, createdAtMs: T0 + 180_000 }));
  return store;
}

async function json<T>(response: Response): Promise<T> {
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  return (await response.json()) as T;
}

describe('GET /api/status', () => {
  it('answers on an empty store', async () => {
    const { app } = testServer();
    const response = await app.request('/api/status');
    expect(response.status).toBe(200);
    const body = await json<Record<string, unknown>>(response);
    expect(body).toMatchObject({
      running: false,
      data_dir: '/data',
      loop: null,
      attempts: 0,
      success_rate: null,
      versions: [],
      last_attempt: null,
      governance: null,
    });
  });

  it('reports the store, the loop state and the latest governance verdict', async () => {
    const { app, control } = testServer({ store: filledStore(), withLoop: true, report: report() });
    control.pause();
    const body = await json<Record<string, unknown>>(await app.request('/api/status'));
    expect(body).toMatchObject({
      running: true,
      loop: { state: 'paused', in_flight: 0 },
      attempts: 4,
      successes: 2,
      failures: 2,
      success_rate: 0.5,
      failures_by_category: { timeouts: 1, other: 1 },
      governance: { code_evolution_working: false, recommendations: 1, open_action_items: 1 },
    });
    expect((body.versions as unknown[]).length).toBe(1);
  });
});

describe('GET /api/attempts', () => {
  it('pages newest first and filters by stage, category and outcome', async () => {
    const { app } = testServer({ store: filledStore() });
    const all = await json<{ total: number; attempts: Array<{ id: string; ok: boolean }> }>(
      await app.request('/api/attempts?limit=2'),
    );
    expect(all.total).toBe(4);
    expect(all.attempts).toHaveLength(2);
    expect(Number(all.attempts[0]!.id)).toBeGreaterThan(Number(all.attempts[1]!.id));

    const second = await json<{ attempts: unknown[]; offset: number }>(
      await app.request('/api/attempts?limit=2&offset=2'),
    );
    expect(second.attempts).toHaveLength(2);
    expect(second.offset).toBe(2);

    const sweep = await json<{ total: number; attempts: Array<{ category: string }> }>(
      await app.request('/api/attempts?stage=sweep'),
    );
    expect(sweep.total).toBe(1);
    expect(sweep.attempts[0]!.category).toBe('timeouts');

    const byCategory = await json<{ total: number }>(
      await app.request('/api/attempts?category=other'),
    );
    expect(byCategory.total).toBe(1);
    const failures = await json<{ total: number }>(await app.request('/api/attempts?ok=false'));
    expect(failures.total).toBe(2);
    const asc = await json<{ attempts: Array<{ id: string }> }>(
      await app.request('/api/attempts?order=asc&limit=1'),
    );
    const oldest = (second.attempts as Array<{ id: string }>).at(-1)!.id;
    expect(asc.attempts[0]!.id).toBe(oldest);
  });

  it('marks each attempt with its origin, filters by it and counts it in the status', async () => {
    const store = filledStore();
    const evaluated = store.recordAttempt(
      failed('import os', 'validate', 'forbidden_imports', {
        origin: 'evaluate',
        generator: 'file',
        model: '/home/me/codec.py',
        prompt: null,
        settings: { codec: '/home/me/codec.py', skip_validation: false },
      }),
    );
    const { app } = testServer({ store });
    const page = await json<{ total: number; attempts: Array<{ id: string; origin: string }> }>(
      await app.request('/api/attempts?origin=evaluate'),
    );
    expect(page.total).toBe(1);
    expect(page.attempts[0]).toMatchObject({ id: evaluated.id, origin: 'evaluate' });
    const runs = await json<{ total: number }>(await app.request('/api/attempts?origin=run'));
    expect(runs.total).toBe(4);
    const detail = await json<Record<string, unknown>>(
      await app.request(`/api/attempts/${evaluated.id}`),
    );
    expect(detail).toMatchObject({
      origin: 'evaluate',
      generator: 'file',
      settings: { codec: '/home/me/codec.py', skip_validation: false },
    });
    const status = await json<Record<string, unknown>>(await app.request('/api/status'));
    expect(status).toMatchObject({
      attempts: 5,
      attempts_by_origin: { run: 4, evaluate: 1 },
      failures_by_category: { timeouts: 1, other: 1, forbidden_imports: 1 },
      last_attempt: { id: evaluated.id, origin: 'evaluate', stage: 'validate' },
    });
  });

  it('answers an empty page on an empty store', async () => {
    const { app } = testServer();
    const body = await json<{ total: number; attempts: unknown[] }>(
      await app.request('/api/attempts'),
    );
    expect(body).toEqual({ total: 0, limit: 50, offset: 0, attempts: [] });
  });

  it.each([
    ['limit=0', /limit must be at least 1/],
    ['limit=5000', /limit must be at most 1000/],
    ['limit=ten', /limit must be a whole number/],
    ['offset=-1', /offset must be a whole number/],
    [
      'stage=compile',
      /stage is one of generate, validate, smoke, duplicate_behaviour, screen, sweep, done/,
    ],
    ['category=bugs', /category is one of syntax_errors/],
    ['ok=maybe', /ok is true or false/],
    ['origin=cron', /origin is one of run, evaluate/],
    ['colour=red', /colour/],
  ])('refuses %s with a 400 that says what to send', async (query, message) => {
    const { app } = testServer();
    const response = await app.request(`/api/attempts?${query}`);
    expect(response.status).toBe(400);
    const body = await json<ErrorJson>(response);
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.message).toMatch(message);
  });
});

describe('GET /api/attempts/:id', () => {
  it('returns the code, prompt, response, logs and metrics of one attempt', async () => {
    const store = filledStore();
    const { app } = testServer({ store });
    const slow = store.attempts({ limit: 1, offset: 0, stage: 'sweep' }).attempts[0]!;
    const body = await json<Record<string, unknown>>(await app.request(`/api/attempts/${slow.id}`));
    expect(body).toMatchObject({
      id: slow.id,
      code: 'slow = 1',
      prompt: { system: 'You write codecs.', user: 'Improve this one.' },
      raw_response: '```python\nslow = 1\n```',
      log: 'encoding frame 0',
      category: 'timeouts',
      failure_message: '<script>window.__pwned=1</script> took too long',
      traceback: expect.stringContaining('ValueError') as unknown,
      usage: { input_tokens: 1000, output_tokens: 500, cost_usd: 0.0125 },
    });
    const good = store.incumbent()!;
    const detail = await json<{ metrics: { points: unknown[] }; version: number }>(
      await app.request(`/api/attempts/${good.attemptId}`),
    );
    expect(detail.metrics.points).toHaveLength(1);
    expect(detail.version).toBe(1);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const { app } = testServer();
    const missing = await app.request('/api/attempts/12345');
    expect(missing.status).toBe(404);
    expect((await json<ErrorJson>(missing)).error.message).toMatch(/GET \/api\/attempts/);
    const bad = await app.request('/api/attempts/..%2Fetc');
    expect(bad.status).toBe(400);
    expect((await json<ErrorJson>(bad)).error.code).toBe('BAD_REQUEST');
  });
});

describe('GET /api/versions, /api/timeline, /api/reports/latest, /api/anchors', () => {
  it('lists versions as `codec-lab versions --json` does', async () => {
    const { app } = testServer({ store: filledStore() });
    const versions = await json<Array<Record<string, unknown>>>(await app.request('/api/versions'));
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({
      version: 1,
      bd_rate: { jpeg: -41.5, x264: 12.25 },
      worst_block_psnr_y_db: 27.5,
    });
    const empty = await json<unknown[]>(await testServer().app.request('/api/versions'));
    expect(empty).toEqual([]);
  });

  it('buckets successes and failures over time', async () => {
    const { app } = testServer({ store: filledStore() });
    const body = await json<{ attempts: number; buckets: Array<Record<string, number>> }>(
      await app.request('/api/timeline?buckets=4'),
    );
    expect(body.attempts).toBe(4);
    expect(body.buckets.map((b) => [b.successes, b.failures])).toEqual([
      [1, 0],
      [0, 1],
      [0, 1],
      [1, 0],
    ]);
    const bad = await app.request('/api/timeline?buckets=0');
    expect(bad.status).toBe(400);
    const empty = await json<{ buckets: unknown[] }>(
      await testServer().app.request('/api/timeline'),
    );
    expect(empty.buckets).toEqual([]);
  });

  it('serves the latest governance report, or 404 saying there is none yet', async () => {
    const none = await testServer().app.request('/api/reports/latest');
    expect(none.status).toBe(404);
    expect((await json<ErrorJson>(none)).error.message).toMatch(/no self-governance report yet/);
    const { app } = testServer({ report: report() });
    const body = await json<{ file: string; report: { schema: string } }>(
      await app.request('/api/reports/latest'),
    );
    expect(body.file).toBe('self_governance_report_x.json');
    expect(body.report.schema).toBe('codec-lab/self-governance-report/v1');
  });

  it('lists the measured anchors (none on a fresh data dir)', async () => {
    expect(await json(await testServer().app.request('/api/anchors'))).toEqual({ clips: [] });
    const clip = {
      clip: 'vtest',
      sha256: 'ab',
      width: 128,
      height: 96,
      frames: 8,
      fps: 10,
      anchors: {},
    };
    const { app } = testServer({ anchors: [clip] });
    expect(await json(await app.request('/api/anchors'))).toEqual({ clips: [clip] });
  });
});

describe('GET /healthz', () => {
  it('is 200 when the process, the store and every check are fine', async () => {
    const { app } = testServer({
      health: [{ name: 'docker', run: () => Promise.resolve('engine answers') }],
    });
    const response = await app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({
      status: 'ok',
      checks: {
        process: { ok: true },
        store: { ok: true, detail: '0 attempts' },
        docker: { ok: true, detail: 'engine answers' },
      },
    });
  });

  it('is 503 naming the failing check', async () => {
    const { app } = testServer({
      health: [
        { name: 'docker', run: () => Promise.resolve('engine answers') },
        { name: 'image', run: () => Promise.reject(new Error("run 'codec-lab image build'")) },
      ],
    });
    const response = await app.request('/healthz');
    expect(response.status).toBe(503);
    expect(await json(response)).toMatchObject({
      status: 'failing',
      checks: { image: { ok: false, detail: "run 'codec-lab image build'" } },
    });
  });
});

describe('errors, unknown routes and the dashboard', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const response = await testServer().app.request('/api/nope');
    expect(response.status).toBe(404);
    expect((await json<ErrorJson>(response)).error.code).toBe('NOT_FOUND');
  });

  it('maps a store failure to 503 and anything else to a 500 without details', async () => {
    const { services } = testServer();
    const broken = (error: Error): Store =>
      new Proxy(services.store, {
        get: (target, key) =>
          key === 'totals'
            ? () => {
                throw error;
              }
            : (Reflect.get(target, key) as unknown),
      });
    const storeDown = createApp({
      ...services,
      store: broken(new CodecLabError('STORE_FAILED', 'database disk image is malformed')),
    });
    const down = await storeDown.request('/api/status');
    expect(down.status).toBe(503);
    expect((await json<ErrorJson>(down)).error).toEqual({
      code: 'STORE_UNAVAILABLE',
      message: 'database disk image is malformed',
    });
    const bug = createApp({ ...services, store: broken(new Error('secret internals')) });
    const failed500 = await bug.request('/api/status');
    expect(failed500.status).toBe(500);
    const body = await json<ErrorJson>(failed500);
    expect(body.error.code).toBe('INTERNAL');
    expect(body.error.message).not.toMatch(/secret internals/);
  });

  it('serves the page, its scripts and stylesheet with a CSP that forbids inline script', async () => {
    const { app } = testServer();
    const page = await app.request('/');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'self'/);
    // Vega runs with vega-interpreter, so neither eval nor inline script is allowed (§7.3).
    expect(csp).toMatch(/script-src 'self';/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html.match(/<script[^>]*>/g)).toEqual([
      '<script src="/vendor/vega.min.js" defer>',
      '<script src="/vendor/vega-lite.min.js" defer>',
      '<script src="/vendor/vega-interpreter.js" defer>',
      '<script src="/dashboard.js" defer>',
    ]);
    expect(html).not.toMatch(/https?:\/\//);
    const script = await app.request('/dashboard.js');
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    const source = await script.text();
    expect(source).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    expect((await app.request('/dashboard.css')).headers.get('content-type')).toMatch(/css/);
    // JSON answers carry the same headers.
    const api = await app.request('/api/status');
    expect(api.headers.get('content-security-policy')).toBe(csp);
  });
});

describe('timeline (pure)', () => {
  it('puts every attempt in exactly one bucket', () => {
    const attempts = Array.from({ length: 50 }, (_, i) => ({
      createdAtMs: T0 + i * 7_919,
      ok: i % 3 === 0,
    }));
    const buckets = timeline(attempts, 7);
    expect(buckets).toHaveLength(7);
    expect(buckets.reduce((s, b) => s + b.attempts, 0)).toBe(50);
    expect(buckets.reduce((s, b) => s + b.successes, 0)).toBe(17);
    expect(timeline([{ createdAtMs: T0, ok: true }], 5)).toHaveLength(1);
  });
});
