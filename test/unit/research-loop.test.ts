import { describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract.js';
import { DEFAULT_ADOPTION_POLICY } from '../../src/evaluation/adoption.js';
import type { Clip } from '../../src/evaluation/clip.js';
import { RateLimitedError } from '../../src/generators/generator.js';
import { createLogger } from '../../src/logger.js';
import type { RecommendationSource } from '../../src/loop/generation-context.js';
import type { IterationReport, LoopSummary } from '../../src/loop/iteration-report.js';
import { ResearchLoop, type RunLimits } from '../../src/loop/research-loop.js';
import type { Recommendation } from '../../src/prompt/prompt-builder.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { codeSha256, type StoredAttempt } from '../../src/store/store.js';
import {
  EVALUATE_MS,
  FakeClock,
  FakeGenerator,
  FakePorts,
  GENERATE_MS,
  MODEL,
  QUALITIES,
  T0,
  clip,
  codec,
  generated,
  noCode,
  shiftedBdRatePct,
  usage,
  type ScriptStep,
} from './loop-fakes.js';

const contract = loadContract();
const silent = createLogger({ level: 'silent' });
const DEV = ['a', 'b', 'c'].map(clip);
const HOLDOUT = ['h-1', 'h-2'].map(clip);
const DEV_NAMES = DEV.map((c) => c.name);
const HOLDOUT_NAMES = HOLDOUT.map((c) => c.name);

interface Setup {
  readonly holdout?: readonly Clip[] | null;
  readonly recommendations?: RecommendationSource;
  readonly onIteration?: (report: IterationReport) => void;
  readonly generatorName?: string;
  readonly store?: MemoryStore;
  readonly clock?: FakeClock;
}

function setup(script: ScriptStep[], options: Setup = {}) {
  const clock = options.clock ?? new FakeClock();
  const store = options.store ?? new MemoryStore(() => clock.now());
  const generator = new FakeGenerator(clock, script, options.generatorName);
  const ports = new FakePorts(clock);
  const reports: IterationReport[] = [];
  const controller = new AbortController();
  const loop = new ResearchLoop({
    store,
    generator,
    ports,
    contract,
    clips: DEV,
    holdout: options.holdout === undefined ? HOLDOUT : options.holdout,
    qualities: QUALITIES,
    policy: DEFAULT_ADOPTION_POLICY,
    log: silent,
    clock,
    ...(options.recommendations ? { recommendations: options.recommendations } : {}),
    onIteration: (report) => {
      reports.push(report);
      options.onIteration?.(report);
    },
  });
  const run = (limits: Partial<RunLimits> = {}): Promise<LoopSummary> =>
    loop.run({ intervalMs: 0, parallel: 1, signal: controller.signal, ...limits });
  return { clock, store, generator, ports, reports, controller, loop, run };
}

function allAttempts(store: MemoryStore): readonly StoredAttempt[] {
  return store.attempts({ limit: 1000, offset: 0, order: 'asc' }).attempts;
}

function attemptWithCode(store: MemoryStore, code: string): StoredAttempt {
  const found = allAttempts(store).find((attempt) => attempt.code === code);
  if (found === undefined) throw new Error('no attempt with that code');
  return found;
}

const A = codec('A', 'psnr-offset: 0');
const BETTER = codec('better', 'psnr-offset: 2');
const WORSE = codec('worse', 'psnr-offset: -1');
const BROKEN = codec('broken', 'fail: runtime_errors');

describe('ResearchLoop: one stored attempt per iteration', () => {
  it('stores a success, a generation failure and an evaluation failure with their provenance', async () => {
    const { store, generator, reports, run } = setup([
      generated(A, 0.02),
      noCode(0.03),
      generated(BROKEN, 0.05),
    ]);

    const summary = await run({ iterations: 3 });

    expect(summary).toEqual({
      iterations: 3,
      attempts: 3,
      adopted: 1,
      duplicates: 0,
      stoppedBecause: '3 iterations done',
    });
    const [first, second, third] = allAttempts(store);
    if (!first || !second || !third) throw new Error('expected three attempts');

    expect(first).toMatchObject({
      code: A,
      codeSha256: codeSha256(A),
      parentId: null,
      generator: 'fake',
      model: MODEL,
      rawResponse: expect.stringContaining(A) as unknown,
      usage: usage(0.02),
      generationFailure: null,
      stage: 'done',
      category: null,
      ok: true,
      version: 1,
      timings: { generationMs: GENERATE_MS, evaluationMs: EVALUATE_MS },
    });
    expect(first.prompt).toEqual(generator.contexts[0]?.prompt);
    expect(first.metrics?.clips.map((c) => c.clip)).toEqual(DEV_NAMES);

    // The response without code is kept, raw text and all, as a failure at `generate`.
    expect(second).toMatchObject({
      code: '',
      parentId: first.id,
      generator: 'fake',
      model: MODEL,
      rawResponse: 'I would rather not write a codec today.',
      usage: usage(0.03),
      generationFailure: 'no_code_block',
      stage: 'generate',
      category: 'other',
      failureMessage: 'the response has no ```python block',
      metrics: null,
      ok: false,
      version: null,
      timings: { generationMs: GENERATE_MS, evaluationMs: 0 },
    });

    // A failed candidate costs one evaluation: the incumbent is not run for it.
    expect(third).toMatchObject({
      code: BROKEN,
      parentId: first.id,
      usage: usage(0.05),
      generationFailure: null,
      stage: 'smoke',
      category: 'runtime_errors',
      failureMessage: 'fake runtime_errors',
      traceback: 'Traceback (most recent call last):\nValueError: fake',
      failureLine: 3,
      log: 'codec printed this',
      imageId: 'sha256:fake-image',
      metrics: null,
      ok: false,
      timings: { generationMs: GENERATE_MS, evaluationMs: EVALUATE_MS },
    });
    expect(store.totals().cost.dollars).toBeCloseTo(0.1, 10);

    expect(reports.map((r) => [r.iteration, r.attemptId, r.outcome, r.stage])).toEqual([
      [1, first.id, 'adopted', 'done'],
      [2, second.id, 'failed', 'generate'],
      [3, third.id, 'failed', 'smoke'],
    ]);
    expect(reports[0]).toMatchObject({
      version: 1,
      category: null,
      generationMs: GENERATE_MS,
      evaluationMs: EVALUATE_MS,
      loopOverheadMs: 0,
    });
    expect(reports[0]?.bdRateVsJpegPct).toBeCloseTo(shiftedBdRatePct(2), 6);
    expect(reports[2]).toMatchObject({
      category: 'runtime_errors',
      version: null,
      summary: 'smoke: runtime_errors fake runtime_errors',
    });
  });

  it('stores no prompt for the offline generator, which sends none', async () => {
    const { store, run } = setup([generated(A)], { generatorName: 'offline' });
    await run({ iterations: 1 });
    expect(allAttempts(store)[0]).toMatchObject({ generator: 'offline', prompt: null });
  });

  it('lets an infrastructure error from the generator end the run', async () => {
    const { store, run } = setup([new Error('API key missing')]);
    await expect(run({ iterations: 3 })).rejects.toThrow('API key missing');
    expect(store.totals().attempts).toBe(0);
  });
});

describe('ResearchLoop: adoption', () => {
  it('adopts the first good codec as v1, a better one as v2 after the holdout, keeps a worse one', async () => {
    const { store, ports, reports, run } = setup([
      generated(A),
      generated(WORSE),
      generated(BETTER),
    ]);

    await run({ iterations: 3 });

    const versions = store.versions();
    const a = attemptWithCode(store, A);
    const worse = attemptWithCode(store, WORSE);
    const better = attemptWithCode(store, BETTER);
    expect(versions.map((v) => [v.version, v.attemptId])).toEqual([
      [1, a.id],
      [2, better.id],
    ]);
    expect(store.incumbent()?.attemptId).toBe(better.id);

    // v1 had nothing to beat: the floors decided.
    expect(a.decision?.adopt).toBe(true);
    expect(a.assessment?.bd_rate.incumbent).toBeNull();

    // The worse codec was measured against v1, stored, and not adopted.
    expect(worse).toMatchObject({ ok: true, version: null, parentId: a.id });
    expect(worse.decision?.adopt).toBe(false);
    expect(worse.assessment?.bd_rate.incumbent).toBeCloseTo(shiftedBdRatePct(-1), 6);
    expect(worse.decision?.summary).toContain('mean dev BD-rate vs the incumbent');

    // The better one beat v1 by more than the margin on the dev clips and on the holdout.
    expect(better.parentId).toBe(a.id);
    expect(better.assessment?.bd_rate.incumbent).toBeCloseTo(shiftedBdRatePct(2), 6);
    expect(better.assessment?.bd_rate.incumbent).toBeLessThan(
      DEFAULT_ADOPTION_POLICY.maxMeanBdRatePct,
    );
    expect(better.decision?.checks.find((c) => c.name === 'holdout_sign')?.passed).toBe(true);
    // The candidate on the dev clips (the incumbent's dev result was measured once, for the
    // worse codec, and reused), then both on the holdout.
    expect(better.timings.evaluationMs).toBe(3 * EVALUATE_MS);
    expect(ports.callsFor(A).filter((call) => call.clips.join() === DEV_NAMES.join())).toHaveLength(
      2, // once as the first candidate, once as the incumbent: never again
    );

    // The holdout is spent only on the candidate that passed dev (and its incumbent).
    const holdoutCalls = ports.calls.filter((call) => call.clips.some((n) => n.startsWith('h-')));
    expect(holdoutCalls).toEqual([
      { code: BETTER, clips: HOLDOUT_NAMES },
      { code: A, clips: HOLDOUT_NAMES },
    ]);
    expect(ports.callsFor(WORSE)).toEqual([{ code: WORSE, clips: DEV_NAMES }]);

    expect(reports.map((r) => [r.outcome, r.version])).toEqual([
      ['adopted', 1],
      ['kept', null],
      ['adopted', 2],
    ]);
    expect(reports[2]?.bdRateVsIncumbentPct).toBeCloseTo(shiftedBdRatePct(2), 6);
  });

  it('runs the isolation check only on a candidate about to be adopted, with its dev and holdout results, and refuses one that fails it as nondeterministic', async () => {
    const LEAKY = codec('leaky', 'psnr-offset: 3');
    const { store, ports, reports, run } = setup([
      generated(A),
      generated(WORSE),
      generated(LEAKY),
      generated(BETTER),
    ]);
    ports.leaky.add(LEAKY);
    await run({ iterations: 4 });

    expect(ports.isolationChecks).toEqual([A, LEAKY, BETTER]);
    const leaky = attemptWithCode(store, LEAKY);
    expect(leaky.ok).toBe(false);
    expect(leaky.category).toBe('nondeterministic');
    expect(leaky.failureMessage).toContain('with no other sandbox on the host running');
    expect(leaky.version).toBeNull();
    const better = attemptWithCode(store, BETTER);
    const isolation = better.decision?.checks.find((check) => check.name === 'isolation');
    // 3 dev clips × 5 qualities, and the holdout's 2 × 5.
    expect(isolation).toMatchObject({ passed: true });
    expect(isolation?.detail).toContain(
      `its ${(DEV.length + HOLDOUT.length) * QUALITIES.length} measured decodes reproduced`,
    );
    expect(store.versions().map((v) => v.attemptId)).toEqual([
      attemptWithCode(store, A).id,
      better.id,
    ]);
    expect(reports.map((r) => r.outcome)).toEqual(['adopted', 'kept', 'failed', 'adopted']);
  });

  it('does not adopt a first codec below the quality floors', async () => {
    // Its best point reaches 39 − 12 = 27 dB, under the 30 dB floor.
    const weak = codec('weak', 'psnr-offset: -12');
    const { store, reports, run } = setup([generated(weak), generated(A)]);
    await run({ iterations: 2 });
    expect(store.versions().map((v) => v.attemptId)).toEqual([attemptWithCode(store, A).id]);
    expect(attemptWithCode(store, weak).decision?.adopt).toBe(false);
    expect(reports.map((r) => r.outcome)).toEqual(['kept', 'adopted']);
  });

  it('does not adopt a dev winner that loses on the holdout', async () => {
    const overfit = codec('overfit', 'psnr-offset: 2', 'holdout-offset: -1');
    const { store, ports, run } = setup([generated(A), generated(overfit)]);
    await run({ iterations: 2 });
    expect(store.versions()).toHaveLength(1);
    const attempt = attemptWithCode(store, overfit);
    expect(attempt.decision?.adopt).toBe(false);
    expect(attempt.decision?.summary).toContain('mean holdout BD-rate vs the incumbent +');
    expect(ports.callsFor(overfit).map((call) => call.clips)).toEqual([DEV_NAMES, HOLDOUT_NAMES]);
  });

  it('without holdout clips, a dev winner is not adopted over an incumbent', async () => {
    const { store, ports, run } = setup([generated(A), generated(BETTER)], { holdout: null });
    await run({ iterations: 2 });
    expect(store.versions()).toHaveLength(1);
    expect(attemptWithCode(store, BETTER).decision?.summary).toBe(
      'not adopted: the holdout confirmation was not run',
    );
    expect(ports.calls.every((call) => !call.clips.some((n) => n.startsWith('h-')))).toBe(true);
  });
});

describe('ResearchLoop: duplicates', () => {
  it('never evaluates the same code twice and reports the repeat', async () => {
    const { store, ports, reports, run } = setup([
      generated(A),
      generated(BROKEN),
      generated(BROKEN),
      generated(WORSE),
      generated(WORSE),
    ]);

    const summary = await run({ iterations: 5 });

    expect(ports.callsFor(BROKEN)).toHaveLength(1);
    expect(ports.callsFor(WORSE)).toHaveLength(1);
    expect(store.totals().attempts).toBe(3);
    expect(summary).toMatchObject({ iterations: 5, attempts: 3, duplicates: 2 });
    const broken = attemptWithCode(store, BROKEN);
    const worse = attemptWithCode(store, WORSE);
    expect(reports.map((r) => [r.outcome, r.attemptId])).toEqual([
      ['adopted', attemptWithCode(store, A).id],
      ['failed', broken.id],
      ['duplicate', broken.id],
      ['kept', worse.id],
      ['duplicate', worse.id],
    ]);
    expect(reports[2]).toMatchObject({ stage: 'skipped', evaluationMs: 0 });
  });

  it("leaves evaluate's attempts out of its search: no duplicate, no prompt, no budget", async () => {
    const store = new MemoryStore(() => T0);
    const evaluated = store.recordAttempt({
      origin: 'evaluate',
      settings: { codec: '/home/me/broken.py' },
      failureCause: null,
      code: BROKEN,
      codeSha256: codeSha256(BROKEN),
      parentId: null,
      generator: 'file',
      model: '/home/me/broken.py',
      prompt: null,
      rawResponse: '',
      generationFailure: null,
      stage: 'sweep',
      category: 'runtime_errors',
      failureMessage: 'ZeroDivisionError',
      traceback: null,
      failureLine: null,
      findings: [],
      log: '',
      imageId: 'sha256:image',
      metrics: null,
      assessment: null,
      decision: null,
      usage: usage(0),
      timings: { generationMs: 0, evaluationMs: 1 },
      createdAtMs: T0,
    });
    const { ports, reports, generator, run } = setup([generated(BROKEN)], { store });
    const summary = await run({ maxAttempts: 1 });
    expect(summary).toMatchObject({ iterations: 1, attempts: 1, duplicates: 0 });
    expect(ports.callsFor(BROKEN)).toHaveLength(1);
    expect(reports.map((r) => r.outcome)).toEqual(['failed']);
    expect(generator.contexts[0]?.recent).toEqual([]);
    expect(generator.contexts[0]?.parent).toBeNull();
    expect(store.attempt(evaluated.id)?.origin).toBe('evaluate');
    expect(store.totals().attemptsByOrigin).toEqual({ run: 1, evaluate: 1 });
  });

  it('does not count the empty code of a generation failure as evaluated', async () => {
    // Generation failures store empty code; they must not make '' look already evaluated.
    const empty = '';
    const { ports, run, reports } = setup([noCode(), generated(empty)]);
    await run({ iterations: 2 });
    expect(ports.callsFor(empty)).toHaveLength(1);
    expect(reports.map((r) => r.outcome)).not.toContain('duplicate');
  });

  // BUG: the duplicate check reads the store before evaluating, but the attempt is recorded only
  // after evaluation, so two workers that generate the same code both evaluate and store it.
  it('never evaluates the same code twice when running in parallel', async () => {
    const { store, ports, run } = setup([generated(BROKEN), generated(BROKEN)]);
    await run({ iterations: 2, parallel: 2 });
    expect(ports.callsFor(BROKEN)).toHaveLength(1);
    expect(store.totals().attempts).toBe(1);
  });
});

describe('ResearchLoop: rate limits', () => {
  const limited = (retryAfterMs: number | null): RateLimitedError =>
    new RateLimitedError('429 rate limited', retryAfterMs);

  it('backs off 5 s, 10 s, … (or as told, capped at 5 min) and retries the same iteration', async () => {
    const { clock, store, generator, run } = setup([
      limited(null),
      limited(null),
      limited(600_000),
      limited(null),
      limited(1_500),
      generated(A),
    ]);

    const summary = await run({ iterations: 1 });

    expect(clock.sleeps).toEqual([5_000, 10_000, 300_000, 40_000, 1_500]);
    expect(generator.contexts.map((c) => c.iteration)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(summary).toMatchObject({ iterations: 1, attempts: 1 });
    const [attempt] = allAttempts(store);
    expect(attempt?.timings.generationMs).toBe(356_500 + 6 * GENERATE_MS);
  });

  it('stops cleanly when asked to stop during the back-off', async () => {
    const setupResult = setup([limited(null), generated(A)]);
    const { clock, store, generator, reports, controller, run } = setupResult;
    clock.onSleep = () => controller.abort();

    const summary = await run({ iterations: 5 });

    expect(summary).toEqual({
      iterations: 1,
      attempts: 0,
      adopted: 0,
      duplicates: 0,
      stoppedBecause: 'asked to stop',
    });
    expect(generator.calls).toBe(1);
    expect(clock.sleeps).toEqual([5_000]);
    expect(store.totals().attempts).toBe(0);
    expect(reports).toEqual([]);
  });
});

describe('ResearchLoop: limits', () => {
  it('stops after the given number of iterations', async () => {
    const { generator, run } = setup([noCode(), noCode(), noCode()]);
    const summary = await run({ iterations: 2 });
    expect(generator.calls).toBe(2);
    expect(summary.stoppedBecause).toBe('2 iterations done');
  });

  it('stops once the store holds maxAttempts, counting earlier runs', async () => {
    const first = setup([noCode(), noCode(), noCode(), noCode()]);
    const summary = await first.run({ maxAttempts: 3 });
    expect(summary).toMatchObject({ iterations: 3, attempts: 3 });
    expect(summary.stoppedBecause).toBe('3 attempts in the store');

    const again = setup([noCode()], { store: first.store, clock: first.clock });
    const second = await again.run({ maxAttempts: 3 });
    expect(again.generator.calls).toBe(0);
    expect(second).toMatchObject({ iterations: 0, attempts: 0 });
  });

  it('stops once the API cost in the store reaches maxDollars', async () => {
    const { store, generator, run } = setup([
      noCode(0.4),
      generated(BROKEN, 0.4),
      noCode(0.4),
      noCode(0.4),
    ]);
    const summary = await run({ maxDollars: 1 });
    expect(generator.calls).toBe(3);
    expect(store.totals().cost.dollars).toBeCloseTo(1.2, 10);
    expect(summary.stoppedBecause).toBe('API cost reached $1.20');
  });

  it('stops starting iterations at untilMs', async () => {
    const { clock, generator, run } = setup([noCode(), noCode(), noCode(), noCode()]);
    // Each iteration takes GENERATE_MS: they start at T0, T0+200, T0+400; T0+600 is too late.
    const summary = await run({ untilMs: T0 + 500 });
    expect(generator.calledAtMs).toEqual([T0, T0 + 200, T0 + 400]);
    expect(clock.now()).toBe(T0 + 600);
    expect(summary.stoppedBecause).toBe('time budget reached');
  });

  it('does nothing when the signal is already aborted', async () => {
    const { generator, controller, run } = setup([noCode()]);
    controller.abort();
    const summary = await run({ iterations: 3 });
    expect(generator.calls).toBe(0);
    expect(summary).toMatchObject({ iterations: 0, stoppedBecause: 'asked to stop' });
  });

  it('finishes the iteration in flight and starts no other after an abort', async () => {
    const controller = new AbortController();
    const { store, generator, run } = setup([noCode(), noCode(), noCode()], {
      onIteration: (report) => {
        if (report.iteration === 2) controller.abort();
      },
    });
    const summary = await run({ iterations: 3, signal: controller.signal });
    expect(generator.calls).toBe(2);
    expect(store.totals().attempts).toBe(2);
    expect(summary).toMatchObject({ iterations: 2, stoppedBecause: 'asked to stop' });
  });
});

describe('ResearchLoop: what the generator is told', () => {
  const recommendation: Recommendation = {
    issue: 'decode_mismatch in recent attempts',
    fix: 'store the frame shape in the metadata and reshape on decode',
    severity: 'high',
    count: 3,
  };

  it('passes the recommendations and, after an adoption, the incumbent and its RD table', async () => {
    const asked: number[] = [];
    const recommendations: RecommendationSource = {
      recommendations: (nowMs) => {
        asked.push(nowMs);
        return [recommendation];
      },
    };
    const { store, generator, run } = setup([generated(A), generated(WORSE)], {
      recommendations,
    });

    await run({ iterations: 2 });

    const [first, second] = generator.contexts;
    if (!first || !second) throw new Error('expected two generations');
    const v1 = store.incumbent();
    expect(asked).toEqual([T0, T0 + GENERATE_MS + EVALUATE_MS]);

    expect(first.incumbent).toBeNull();
    expect(first.parent).toBeNull();
    expect(first.prompt.user).toContain('None yet: no codec has been adopted so far.');
    expect(first.prompt.user).toContain(
      '1. [high] decode_mismatch in recent attempts (3×):\n   Fix: store the frame shape',
    );
    expect(first.prompt.user).not.toContain(A);

    expect(second.iteration).toBe(2);
    expect(second.incumbent).toMatchObject({ attemptId: v1?.attemptId, code: A, adopted: true });
    expect(second.parent?.attemptId).toBe(v1?.attemptId);
    expect(second.recent.map((r) => r.attemptId)).toEqual([v1?.attemptId]);
    expect(second.prompt.user).toContain(`## The current best codec (attempt ${v1?.attemptId})`);
    expect(second.prompt.user).toContain(A);
    expect(second.prompt.user).toContain('decode_mismatch in recent attempts');
    // The incumbent's curve next to the anchors, measured on the dev clips.
    expect(second.prompt.user).toContain('| best | q 0.20 | 100.0 | 30.00 | 0.9000 |');
    expect(second.prompt.user).toContain('| jpeg | q 0.20 | 100.0 | 28.00 | 0.8000 |');
    expect(second.prompt.user).toContain('| x265 | crf 20 | 800.0 | 43.00 | 0.8600 |');
  });
});

describe('ResearchLoop: pacing', () => {
  it('sleeps intervalMs between iterations', async () => {
    const { clock, generator, run } = setup([noCode(), noCode(), noCode()]);
    await run({ iterations: 3, intervalMs: 60_000 });
    expect(clock.sleeps.slice(0, 2)).toEqual([60_000, 60_000]);
    expect(generator.calledAtMs).toEqual([
      T0,
      T0 + GENERATE_MS + 60_000,
      T0 + 2 * (GENERATE_MS + 60_000),
    ]);
  });

  it('does not sleep when intervalMs is 0', async () => {
    const { clock, run } = setup([noCode(), noCode()]);
    await run({ iterations: 2 });
    expect(clock.sleeps).toEqual([]);
  });

  // BUG: the worker sleeps after every iteration, the last one too, so a finished run lingers
  // for intervalMs (60 s with the seed's pacing) before it returns.
  it('does not sleep after the last iteration', async () => {
    const { clock, run } = setup([noCode(), noCode(), noCode()]);
    await run({ iterations: 3, intervalMs: 60_000 });
    expect(clock.sleeps).toEqual([60_000, 60_000]);
  });
});

describe('ResearchLoop: parallel candidates', () => {
  it('re-assesses a candidate against an incumbent adopted while it was being evaluated', async () => {
    // X and Y start together with no incumbent; Y's evaluation is held until X is adopted, so
    // its first assessment (floors only) would adopt it although it is worse than X.
    const X = codec('X', 'psnr-offset: 0');
    const Y = codec('Y', 'psnr-offset: -1');
    let releaseY = (): void => undefined;
    const { store, ports, reports, run } = setup([generated(X), generated(Y)], {
      onIteration: (report) => {
        if (report.outcome === 'adopted') releaseY();
      },
    });
    releaseY = ports.hold(Y);

    const summary = await run({ iterations: 2, parallel: 2 });

    const x = attemptWithCode(store, X);
    const y = attemptWithCode(store, Y);
    expect(store.versions().map((v) => v.attemptId)).toEqual([x.id]);
    // Y: once with no incumbent, once more against X; X: once as a candidate, once as incumbent.
    expect(ports.callsFor(Y)).toEqual([
      { code: Y, clips: DEV_NAMES },
      { code: Y, clips: DEV_NAMES },
    ]);
    expect(ports.callsFor(X)).toHaveLength(2);
    expect(y.decision?.adopt).toBe(false);
    expect(y.assessment?.bd_rate.incumbent).toBeCloseTo(shiftedBdRatePct(-1), 6);
    expect(summary).toMatchObject({ iterations: 2, attempts: 2, adopted: 1 });
    expect(reports.map((r) => [r.iteration, r.outcome])).toEqual([
      [1, 'adopted'],
      [2, 'kept'],
    ]);
  });

  it('adopts the later candidate as v2 when it beats the new incumbent, holdout included', async () => {
    const X = codec('X', 'psnr-offset: 0');
    const Y = codec('Y', 'psnr-offset: 2');
    let releaseY = (): void => undefined;
    const { store, ports, run } = setup([generated(X), generated(Y)], {
      onIteration: (report) => {
        if (report.outcome === 'adopted' && report.version === 1) releaseY();
      },
    });
    releaseY = ports.hold(Y);

    await run({ iterations: 2, parallel: 2 });

    const x = attemptWithCode(store, X);
    const y = attemptWithCode(store, Y);
    expect(store.versions().map((v) => v.attemptId)).toEqual([x.id, y.id]);
    expect(ports.callsFor(Y).map((call) => call.clips)).toEqual([
      DEV_NAMES,
      DEV_NAMES,
      HOLDOUT_NAMES,
    ]);
    expect(y.assessment?.bd_rate.incumbent).toBeCloseTo(shiftedBdRatePct(2), 6);
    expect(y.decision?.checks.map((c) => c.name)).toContain('holdout_sign');
  });
});
