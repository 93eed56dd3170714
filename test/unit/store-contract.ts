/**
 * The Store contract: run against every implementation (MemoryStore, SqliteStore), so the
 * fake the loop and server tests use behaves like the real thing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { AdoptionDecision } from '../../src/evaluation/adoption.js';
import type { EvaluationMetrics } from '../../src/evaluation/evaluator.js';
import type { FailureCategory } from '../../src/evaluation/failure.js';
import {
  codeSha256,
  type AttemptAssessment,
  type AttemptRecord,
  type Store,
} from '../../src/store/store.js';
import { earlyEndingsContract } from './store-contract-early.js';
import { modelOutcomesContract } from './store-contract-models.js';

export interface ContractSubject {
  /** A new, empty store. */
  fresh(now: () => number): Store;
  /** The same storage as the last fresh() store, after it was closed; absent for a fake. */
  reopen?: (now: () => number) => Store;
}

export const T0 = 1_700_000_000_000;

export const METRICS: EvaluationMetrics = {
  points: [
    {
      quality: 0.5,
      bitrate_kbps: 812.5,
      bits_per_pixel: 0.21,
      psnr_y_db: 34.25,
      worst_psnr_y_db: 31,
      worst_block_psnr_y_db: 27.5,
      worst_block: { clip: 'tree', frame: 3, x: 64, y: 32 },
      psnr_yuv_db: 35.5,
      ssim_y: 0.94,
      encode_fps: 120,
      decode_fps: 240,
    },
  ],
  clips: [],
};

const comparison = (mean: number) => ({ mean_pct: mean, median_pct: mean, per_clip: [] });

export const ASSESSMENT: AttemptAssessment = {
  bd_rate: { jpeg: -41.5, x264: 12.25, x265: 30, vp9: 25, av1: 10.5, incumbent: -3.5 },
  bd_rate_details: {
    jpeg: comparison(-41.5),
    x264: comparison(12.25),
    x265: comparison(30),
    vp9: comparison(25),
    av1: comparison(10.5),
    incumbent: comparison(-3.5),
  },
  anchor_settings: {
    jpeg: { levels: [0.1, 0.5, 0.9], preset: null, settings_hash: '0123456789abcdef' },
    x264: { levels: [18, 30, 42], preset: 'slow', settings_hash: '1123456789abcdef' },
    x265: { levels: [18, 30, 42], preset: 'slow', settings_hash: '2123456789abcdef' },
    vp9: { levels: [16, 40, 63], preset: 'good/cpu-used=2', settings_hash: '3123456789abcdef' },
    av1: { levels: [16, 40, 63], preset: 'cpu-used=6', settings_hash: '4123456789abcdef' },
  },
};

export const ADOPT: AdoptionDecision = {
  adopt: true,
  summary: 'adopted: mean dev BD-rate vs the incumbent -3.50 %',
  checks: [{ name: 'dev_mean', passed: true, detail: 'mean dev BD-rate -3.50 %' }],
  meanDevBdRatePct: -3.5,
  requiredBdRatePct: -1,
};

export const REJECT: AdoptionDecision = {
  adopt: false,
  summary: 'not adopted: mean dev BD-rate vs the incumbent +2.00 %',
  checks: [{ name: 'dev_mean', passed: false, detail: 'mean dev BD-rate +2.00 %' }],
  meanDevBdRatePct: 2,
  requiredBdRatePct: -1,
};

const USAGE = {
  inputTokens: 1000,
  outputTokens: 500,
  cacheReadTokens: 200,
  cacheWriteTokens: 100,
  costUsd: 0.0125,
};

/** A successful attempt; `overrides` make it anything else. */
export function record(code: string, overrides: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    origin: 'run',
    settings: null,
    code,
    codeSha256: codeSha256(code),
    parentId: null,
    generator: 'offline',
    model: 'offline-search',
    prompt: { system: 'You write codecs.', user: 'Improve this one.' },
    rawResponse: `\`\`\`python\n${code}\n\`\`\``,
    generationFailure: null,
    stage: 'done',
    category: null,
    failureMessage: null,
    failureCause: null,
    traceback: null,
    failureLine: null,
    findings: [],
    log: '',
    imageId: 'sha256:image',
    metrics: METRICS,
    assessment: ASSESSMENT,
    decision: null,
    usage: USAGE,
    timings: { generationMs: 1500, evaluationMs: 42_000 },
    createdAtMs: T0,
    ...overrides,
  };
}

export function failed(
  code: string,
  stage: 'validate' | 'smoke' | 'sweep',
  category: FailureCategory,
  overrides: Partial<AttemptRecord> = {},
): AttemptRecord {
  return record(code, {
    stage,
    category,
    failureMessage: `${category} at ${stage}`,
    traceback: stage === 'validate' ? null : 'Traceback (most recent call last):\nValueError',
    failureLine: 2,
    findings:
      stage === 'validate'
        ? [
            {
              category,
              message: `${category} at ${stage}`,
              cause: null,
              line: 2,
              excerpt: 'import os',
            },
          ]
        : [],
    log: stage === 'validate' ? '' : 'encoding frame 0',
    metrics: null,
    assessment: null,
    ...overrides,
  });
}

export function generationFailure(raw: string, overrides: Partial<AttemptRecord> = {}) {
  return record('', {
    rawResponse: raw,
    generationFailure: 'no_code_block',
    stage: 'generate',
    category: 'other',
    failureMessage: 'the response had no ```python block',
    imageId: null,
    metrics: null,
    assessment: null,
    ...overrides,
  });
}

export function storeContract(name: string, subject: () => ContractSubject): void {
  describe(`Store contract: ${name}`, () => {
    let clockMs = T0;
    const now = (): number => clockMs;
    let current: ContractSubject;
    let store: Store;

    beforeEach(() => {
      clockMs = T0;
      current = subject();
      store = current.fresh(now);
    });

    afterEach(() => {
      store.close();
    });

    it('gives each attempt a new, increasing id and returns it as stored', () => {
      const first = store.recordAttempt(record('a = 1\n'));
      clockMs += 5;
      const second = store.recordAttempt(failed('a = 2\n', 'sweep', 'runtime_errors'));
      expect(first.id).toBe(String(T0));
      expect(Number(second.id)).toBe(T0 + 5);
      expect(first).toMatchObject({ ok: true, version: null, code: 'a = 1\n' });
      expect(second).toMatchObject({ ok: false, stage: 'sweep', category: 'runtime_errors' });
      expect(store.attempt(first.id)).toEqual(first);
      expect(store.attempt(second.id)).toEqual(second);
    });

    it('keeps ids increasing when the clock stands still or goes back', () => {
      const ids = [0, 0, -60_000, 1].map((step) => {
        clockMs += step;
        return Number(store.recordAttempt(record(`x = ${clockMs}${step}\n`)).id);
      });
      expect(ids).toEqual([T0, T0 + 1, T0 + 2, T0 + 3]);
    });

    it('round-trips every field of failures and generation failures', () => {
      const validation = store.recordAttempt(
        failed('import os\n', 'validate', 'forbidden_imports', { parentId: String(T0 - 1) }),
      );
      const nothing = store.recordAttempt(
        generationFailure('Sorry, I cannot', { prompt: null, decision: REJECT }),
      );
      expect(store.attempt(validation.id)).toEqual(validation);
      expect(store.attempt(nothing.id)).toEqual(nothing);
      expect(validation.findings[0]?.excerpt).toBe('import os');
      expect(nothing).toMatchObject({ ok: false, stage: 'generate', prompt: null, code: '' });
    });

    it('refuses records that contradict themselves', () => {
      expect(() => store.recordAttempt({ ...record('a\n'), codeSha256: 'f'.repeat(64) })).toThrow(
        /codeSha256/,
      );
      expect(() => store.recordAttempt(record('a\n', { category: 'timeouts' }))).toThrow(
        /category/,
      );
      expect(() => store.recordAttempt(record('a\n', { stage: 'sweep' }))).toThrow(/category/);
      expect(() => store.recordAttempt(record('a\n', { stage: 'generate' }))).toThrow(
        /generationFailure/,
      );
      expect(store.totals().attempts).toBe(0);
    });

    it('finds identical code, the latest attempt first, never a response without code', () => {
      expect(store.hasCode(codeSha256('a\n'))).toBeNull();
      const first = store.recordAttempt(record('a\n'));
      expect(store.hasCode(codeSha256('a\n'))).toBe(first.id);
      const again = store.recordAttempt(failed('a\n', 'smoke', 'sandbox_error'));
      expect(store.hasCode(codeSha256('a\n'))).toBe(again.id);
      store.recordAttempt(generationFailure('no code here'));
      expect(store.hasCode(codeSha256(''))).toBeNull();
    });

    it('keeps which command made each attempt, and the settings evaluate measured with', () => {
      const fromRun = store.recordAttempt(record('loop = 1\n'));
      const settings = { codec: '/home/me/codec.py', qualities: [0.2, 0.8], skip_validation: true };
      const fromFile = store.recordAttempt(
        failed('import os\n', 'validate', 'forbidden_imports', {
          origin: 'evaluate',
          generator: 'file',
          model: '/home/me/codec.py',
          prompt: null,
          settings,
        }),
      );
      expect(store.attempt(fromRun.id)).toMatchObject({ origin: 'run', settings: null });
      expect(store.attempt(fromFile.id)).toEqual(fromFile);
      expect(fromFile).toMatchObject({ origin: 'evaluate', settings });
      const page = (origin: 'run' | 'evaluate') =>
        store.attempts({ origin, limit: 10, offset: 0 }).attempts.map((a) => a.id);
      expect(page('evaluate')).toEqual([fromFile.id]);
      expect(page('run')).toEqual([fromRun.id]);
      // Both count, each under its origin; failures include evaluate's.
      expect(store.totals()).toMatchObject({
        attempts: 2,
        attemptsByOrigin: { run: 1, evaluate: 1 },
        failures: 1,
        failuresByCategory: { forbidden_imports: 1 },
      });
      expect(store.recentFailures(T0).map((a) => a.id)).toEqual([fromFile.id]);
      expect(() => store.recordAttempt(record('x\n', { origin: 'cron' as 'run' }))).toThrow(
        /origin/,
      );
    });

    it("never names an evaluate attempt as the loop's duplicate", () => {
      const sha = codeSha256('same\n');
      store.recordAttempt(record('same\n', { origin: 'evaluate', settings: {} }));
      expect(store.hasCode(sha)).toBeNull();
      const mine = store.recordAttempt(record('same\n'));
      store.recordAttempt(record('same\n', { origin: 'evaluate', settings: {} }));
      expect(store.hasCode(sha)).toBe(mine.id);
    });

    it('lists attempts newest first with filters, paging and the total', () => {
      const made = [
        record('ok1\n'),
        failed('v1\n', 'validate', 'forbidden_imports'),
        failed('s1\n', 'sweep', 'timeouts'),
        failed('s2\n', 'sweep', 'runtime_errors'),
        record('ok2\n'),
      ].map((attempt, index) => {
        clockMs = T0 + index * 1000;
        return store.recordAttempt({ ...attempt, createdAtMs: clockMs });
      });
      const ids = (page: { attempts: readonly { id: string }[] }) =>
        page.attempts.map((attempt) => attempt.id);
      const all = store.attempts({ limit: 10, offset: 0 });
      expect(all.total).toBe(5);
      expect(ids(all)).toEqual(made.map((attempt) => attempt.id).reverse());
      expect(ids(store.attempts({ limit: 2, offset: 1, order: 'asc' }))).toEqual([
        made[1]?.id,
        made[2]?.id,
      ]);
      const sweeps = store.attempts({ stage: 'sweep', limit: 1, offset: 0 });
      expect(sweeps.total).toBe(2);
      expect(ids(sweeps)).toEqual([made[3]?.id]);
      expect(ids(store.attempts({ category: 'timeouts', limit: 10, offset: 0 }))).toEqual([
        made[2]?.id,
      ]);
      expect(ids(store.attempts({ ok: true, limit: 10, offset: 0 }))).toEqual([
        made[4]?.id,
        made[0]?.id,
      ]);
      const window = store.attempts({
        sinceMs: T0 + 1000,
        untilMs: T0 + 3000,
        limit: 10,
        offset: 0,
      });
      expect(ids(window)).toEqual([made[2]?.id, made[1]?.id]);
      expect(store.attempts({ limit: 10, offset: 10 })).toEqual({ total: 5, attempts: [] });
      expect(() => store.attempts({ limit: 0, offset: 0 })).toThrow(RangeError);
      expect(() => store.attempts({ limit: 10, offset: -1 })).toThrow(RangeError);
    });

    it('answers null for an attempt it does not have', () => {
      expect(store.attempt(String(T0))).toBeNull();
      expect(store.attempt('not-an-id')).toBeNull();
    });

    it('gives the self-debugger the failures of a window, oldest first', () => {
      store.recordAttempt(failed('old\n', 'sweep', 'timeouts', { createdAtMs: T0 - 7_200_000 }));
      const a = store.recordAttempt(failed('a\n', 'smoke', 'crashes', { createdAtMs: T0 }));
      store.recordAttempt(record('ok\n', { createdAtMs: T0 + 1 }));
      const b = store.recordAttempt(generationFailure('?', { createdAtMs: T0 + 2 }));
      expect(store.recentFailures(T0 - 3_600_000).map((attempt) => attempt.id)).toEqual([
        a.id,
        b.id,
      ]);
      expect(store.recentFailures(T0 + 10)).toEqual([]);
    });

    it('adopts versions 1, 2, … and names the latest the incumbent', () => {
      expect(store.incumbent()).toBeNull();
      expect(store.versions()).toEqual([]);
      const first = store.recordAttempt(record('v1\n'));
      clockMs += 10;
      expect(store.adopt(first.id, ADOPT)).toBe(1);
      const second = store.recordAttempt(record('v2\n', { parentId: first.id }));
      clockMs += 10;
      expect(store.adopt(second.id, ADOPT)).toBe(2);
      expect(store.versions()).toEqual([
        {
          version: 1,
          attemptId: first.id,
          adoptedAtMs: T0 + 10,
          codeSha256: first.codeSha256,
          decision: ADOPT,
        },
        {
          version: 2,
          attemptId: second.id,
          adoptedAtMs: T0 + 20,
          codeSha256: second.codeSha256,
          decision: ADOPT,
        },
      ]);
      const incumbent = store.incumbent();
      expect(incumbent).toMatchObject({ version: 2, attemptId: second.id });
      expect(incumbent?.attempt).toMatchObject({ id: second.id, version: 2, decision: ADOPT });
      expect(store.attempt(first.id)?.version).toBe(1);
    });

    it('refuses to adopt what cannot be a version', () => {
      const bad = store.recordAttempt(failed('x\n', 'sweep', 'timeouts'));
      const good = store.recordAttempt(record('y\n'));
      expect(() => store.adopt(bad.id, ADOPT)).toThrow(/failed/);
      expect(() => store.adopt(String(T0 + 99), ADOPT)).toThrow(/no such attempt/);
      expect(() => store.adopt(good.id, REJECT)).toThrow(/decision/);
      store.adopt(good.id, ADOPT);
      expect(() => store.adopt(good.id, ADOPT)).toThrow(/already v1/);
      expect(store.versions()).toHaveLength(1);
    });

    it('records a decision on an attempt, the latest one winning', () => {
      const attempt = store.recordAttempt(record('d\n'));
      store.recordDecision(attempt.id, ADOPT);
      store.recordDecision(attempt.id, REJECT);
      expect(store.attempt(attempt.id)?.decision).toEqual(REJECT);
      expect(() => store.recordDecision(String(T0 + 99), REJECT)).toThrow(/no such attempt/);
    });

    it('totals attempts, failures by category, the first success and the cost', () => {
      expect(store.totals()).toEqual({
        attempts: 0,
        attemptsByOrigin: { run: 0, evaluate: 0 },
        successes: 0,
        failures: 0,
        screened: 0,
        duplicateBehaviours: 0,
        failuresByCategory: {},
        generationFailures: 0,
        firstAttemptAtMs: null,
        firstSuccessAtMs: null,
        versions: 0,
        tuning: { attempts: 0, evaluations: 0, wallMs: 0 },
        cost: {
          dollars: 0,
          inputTokens: 0,
          outputTokens: 0,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
        },
      });
      store.recordAttempt(failed('a\n', 'validate', 'forbidden_imports', { createdAtMs: T0 }));
      store.recordAttempt(failed('b\n', 'validate', 'forbidden_imports', { createdAtMs: T0 + 1 }));
      store.recordAttempt(generationFailure('?', { createdAtMs: T0 + 2 }));
      const ok = store.recordAttempt(record('c\n', { createdAtMs: T0 + 3 }));
      store.recordAttempt(record('d\n', { createdAtMs: T0 + 4 }));
      store.adopt(ok.id, ADOPT);
      const totals = store.totals();
      expect(totals).toMatchObject({
        attempts: 5,
        successes: 2,
        failures: 3,
        failuresByCategory: { forbidden_imports: 2, other: 1 },
        generationFailures: 1,
        firstAttemptAtMs: T0,
        firstSuccessAtMs: T0 + 3,
        versions: 1,
        cost: {
          inputTokens: 5000,
          outputTokens: 2500,
          cacheReadTokens: 1000,
          cacheWriteTokens: 500,
        },
      });
      expect(totals.cost.dollars).toBeCloseTo(0.0625, 10);
    });

    earlyEndingsContract(() => store);
    modelOutcomesContract(() => store);

    it('refuses to work once closed', () => {
      store.close();
      expect(() => store.attempts({ limit: 1, offset: 0 })).toThrow(/closed/);
      expect(() => store.recordAttempt(record('z\n'))).toThrow(/closed/);
      store.close();
    });

    it('keeps everything, and keeps counting, across a restart', (context) => {
      if (current.reopen === undefined) {
        context.skip();
        return;
      }
      const first = store.recordAttempt(record('r1\n'));
      store.adopt(first.id, ADOPT);
      store.close();
      clockMs = T0 - 1000; // the clock went back while we were down
      store = current.reopen(now);
      expect(store.attempt(first.id)).toMatchObject({ id: first.id, version: 1 });
      const second = store.recordAttempt(record('r2\n'));
      expect(Number(second.id)).toBeGreaterThan(Number(first.id));
      expect(store.adopt(second.id, ADOPT)).toBe(2);
      expect(store.hasCode(codeSha256('r1\n'))).toBe(first.id);
      expect(store.totals()).toMatchObject({ attempts: 2, successes: 2, versions: 2 });
    });
  });
}
