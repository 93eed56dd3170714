/**
 * The loop with the cascade's early endings: a candidate screened out is stored as passing at
 * stage `screen` with nothing compared or adopted; one that behaves like an earlier attempt is
 * stored as `duplicate_behaviour` pointing at it, and the next prompt says the edit changed
 * nothing. FakePorts plays the evaluator; the screening judgement and the plan are the real ones.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract.js';
import { DEFAULT_ADOPTION_POLICY } from '../../src/evaluation/adoption.js';
import type { Clip } from '../../src/evaluation/clip.js';
import type { EarlyStageOptions } from '../../src/evaluation/early-stages.js';
import type { CandidateResult, EvaluateOptions } from '../../src/evaluation/evaluator.js';
import { judgeScreening } from '../../src/evaluation/screening.js';
import { createLogger } from '../../src/logger.js';
import type { EarlyStageSettings } from '../../src/loop/early-plan.js';
import type { IterationReport } from '../../src/loop/iteration-report.js';
import { ResearchLoop } from '../../src/loop/research-loop.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import {
  FakeClock,
  FakePorts,
  QUALITIES,
  clip,
  clipResult,
  codec,
  generated,
  metricsFor,
  type ScriptStep,
} from './loop-fakes.js';
import { FakeGenerator } from './loop-fakes.js';

const DEV = ['a', 'b', 'c'].map(clip);

/** FakePorts with the early stages: `# behaviour: x` names what the codec does on smoke. */
class EarlyPorts extends FakePorts {
  readonly screenedClips: string[] = [];

  evaluateCandidate(
    code: Buffer,
    clips: readonly Clip[],
    options: EvaluateOptions,
    early: EarlyStageOptions,
  ): Promise<CandidateResult> {
    const text = code.toString('utf8');
    const behaviour = /^# behaviour: (\S+)$/m.exec(text)?.[1] ?? text;
    const behaviourSha256 = createHash('sha256').update(behaviour).digest('hex');
    const offset = Number(/^# psnr-offset: (\S+)$/m.exec(text)?.[1] ?? 0);
    const common = { ok: false, failure: null, log: '', imageId: 'sha256:fake-image' } as const;
    const timings = {
      runs: 0,
      acquire_ms: 0,
      codec_ms: 0,
      transfer_ms: 0,
      tar_ms: 0,
      metrics_ms: 0,
    };
    const facts = { ...common, wallMs: 10, timings, behaviourSha256 };
    const twin = early.dedup?.twinOf(behaviourSha256) ?? null;
    if (twin !== null) {
      return Promise.resolve({
        ...facts,
        stage: 'duplicate_behaviour',
        duplicateOf: twin,
        metrics: null,
      });
    }
    const plan = early.screening;
    const screenClip = clips.find((c) => c.name === plan?.clip);
    if (plan !== undefined && screenClip !== undefined) {
      this.screenedClips.push(plan.clip);
      const measured = clipResult(screenClip, offset, plan.qualities);
      const screening = judgeScreening(plan, measured);
      if (screening.verdict === 'screened_out') {
        const metrics = metricsFor([measured]);
        return Promise.resolve({ ...facts, stage: 'screen', screening, metrics });
      }
    }
    return this.evaluate(code, clips, options).then((result) => ({ ...result, behaviourSha256 }));
  }
}

function setup(script: ScriptStep[], earlyStages?: EarlyStageSettings) {
  const clock = new FakeClock();
  const store = new MemoryStore(() => clock.now());
  const generator = new FakeGenerator(clock, script);
  const ports = new EarlyPorts(clock);
  const reports: IterationReport[] = [];
  const loop = new ResearchLoop({
    store,
    generator,
    ports,
    contract: loadContract(),
    clips: DEV,
    holdout: null,
    qualities: QUALITIES,
    policy: DEFAULT_ADOPTION_POLICY,
    log: createLogger({ level: 'silent' }),
    clock,
    onIteration: (report) => reports.push(report),
    ...(earlyStages ? { earlyStages } : {}),
  });
  const run = (iterations: number) =>
    loop.run({ iterations, intervalMs: 0, parallel: 1, signal: new AbortController().signal });
  return { store, generator, ports, reports, run };
}

const A = codec('A', 'psnr-offset: 0', 'behaviour: a');
const MUCH_WORSE = codec('much-worse', 'psnr-offset: -4', 'behaviour: w');
const SAME = codec('same-with-a-comment', 'psnr-offset: 0', 'behaviour: a');
const NEXT = codec('next', 'psnr-offset: 1', 'behaviour: n');

describe('ResearchLoop with screening and behavioural dedup', () => {
  it('stores a screened-out candidate and a behavioural duplicate as passing, never adopted', async () => {
    const { store, reports, run, ports } = setup(
      [A, MUCH_WORSE, SAME, NEXT].map((code) => generated(code)),
    );
    await run(4);
    expect(reports.map((r) => r.outcome)).toEqual([
      'adopted',
      'screened',
      'duplicate_behaviour',
      'kept',
    ]);
    const [first, screened, twin] = store.attempts({ limit: 10, offset: 0, order: 'asc' }).attempts;
    expect(screened).toMatchObject({ ok: true, stage: 'screen', category: null, version: null });
    expect(screened?.screening).toMatchObject({ verdict: 'screened_out', clip: 'a' });
    expect(screened?.screening?.choice.rule).toBe('fallback_first_clip');
    expect(screened?.metrics?.clips.map((c) => c.clip)).toEqual(['a']);
    expect(screened).toMatchObject({ assessment: null, decision: null });
    expect(twin).toMatchObject({ ok: true, stage: 'duplicate_behaviour', duplicateOf: first?.id });
    // Neither early ending evaluated the incumbent or anything past the screening clip.
    expect(ports.calls.map((call) => call.code)).toEqual([A, NEXT, A]);
    expect(store.totals()).toMatchObject({ screened: 1, duplicateBehaviours: 1, failures: 0 });
  });

  it('tells the model in the next prompt that its last edit changed nothing', async () => {
    const { generator, run } = setup([A, SAME, NEXT].map((code) => generated(code)));
    await run(3);
    expect(generator.contexts[2]?.prompt.user).toContain('## Your last edit changed nothing');
    expect(generator.contexts[1]?.prompt.user).not.toContain('changed nothing');
  });

  it('evaluates everything in full with screening and dedup off', async () => {
    const off = { screening: false, dedup: false, screenMarginPct: 15 };
    const { store, reports, run, ports } = setup(
      [A, MUCH_WORSE, SAME].map((code) => generated(code)),
      off,
    );
    await run(3);
    expect(reports.map((r) => r.outcome)).toEqual(['adopted', 'kept', 'kept']);
    expect(ports.screenedClips).toEqual([]);
    expect(store.totals()).toMatchObject({ screened: 0, duplicateBehaviours: 0 });
  });
});
